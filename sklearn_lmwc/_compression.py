"""What to do when LM stalls: adaptive weight compression, random restarts, or nothing.

A policy is consulted after every iteration but the last, with the run's point
(``_objective.Point``). When its trigger fires it returns a ``Move`` (an ``event``,
named by the policy): new weights and the prior's state to go on with; the solver
then resets mu and takes its next step without the error check, so the network can
leave the old basin. ``finish`` hands back the best point seen when the final one is
worse. Points carry the prior's state, so what the policy keeps needs no saving.
"""

from typing import NamedTuple

import numpy as np

from ._bayes import PriorState


class StallTrigger:
    """Fires when the relative change of the objective over one iteration is <= beta."""

    def __init__(self, beta):
        self.beta = beta

    def __call__(self, iteration, value, previous):
        # value == previous: also a stall when both are inf (outputs overflowing), where
        # inf - inf is nan; compressing is then the way back to finite outputs
        return value == previous or abs(value - previous) <= self.beta * previous


class WindowStallTrigger:
    """Fires when the relative change of the objective over the last ``window``
    iterations is <= beta: the stall of solvers whose every step is small (a
    first-order epoch), which the change over one iteration would see nearly always.
    After it fires it waits ``window`` iterations from the new point."""

    def __init__(self, beta, window):
        self.beta, self.window = beta, window
        self.values = []  # the objective after each iteration since the last firing

    def __call__(self, iteration, value, previous):
        self.values.append(value)
        if len(self.values) <= self.window:
            return False
        before = self.values[-1 - self.window]
        if value == before or abs(value - before) <= self.beta * before:
            self.values.clear()
            return True
        del self.values[0]
        return False


class IntervalTrigger:
    """Fires every ``interval`` iterations."""

    def __init__(self, interval):
        self.interval = interval

    def __call__(self, iteration, value, previous):
        return iteration % self.interval == 0


class Move(NamedTuple):
    """Where a policy sends a run: the weights ``w``, the prior's state to go on
    with and the ``hold`` of the point there (see ``_objective.Point``)."""

    w: np.ndarray
    prior: PriorState
    hold: float | None = None


class NoPolicy:
    """Plain LM."""

    event = None  # never acts

    def observe(self, iteration, point, previous):
        return None

    def finish(self, point):
        return point


class _BestKeeping:
    """Shared state of the policies that act on a trigger and remember the best point
    (its weights with what the prior had learned there, a Bayesian alpha), and the
    run's start."""

    def __init__(self, trigger, objective, start):
        self.trigger, self.objective = trigger, objective
        self.start = self.best = start

    def observe(self, iteration, point, previous):
        if not self.trigger(iteration, point.value, previous):
            return None
        improved = self._restated(point) <= self.best.value
        if improved:
            self.best = point
        return self._act(point, improved)

    def finish(self, point):
        return self.best if self._restated(point) > self.best.value else point

    def _restated(self, point):
        """The objective at ``point`` under the best point's penalty (see
        ``Objective.value_under``)."""
        return self.objective.value_under(point, self.best.prior)


class AdaptiveCompression(_BestKeeping):
    """LM-WC: rescale every hidden neuron so that its net statistic (``"mean"``: the
    mean |net| over the training set; ``"authors"``: see ``Network.net_statistic``)
    becomes omega / gain.

    ``omega`` grows by ``rho`` after an improvement since the last compression;
    otherwise it shrinks by ``rho`` and the compression starts from the best point
    (its weights and prior's state). The prior then learns nothing until the fit is
    back at or below the best value (the move's ``hold``, see
    ``Objective.accept``).
    """

    event = "compression"

    def __init__(self, trigger, objective, start, omega=0.1, rho=1.1, statistic="mean"):
        super().__init__(trigger, objective, start)
        self.omega, self.rho, self.statistic = omega, rho, statistic

    def _act(self, point, improved):
        if improved:
            self.omega *= self.rho
        else:
            self.omega /= self.rho
            point = self.best
        # compressed weights are small and fit worse: re-estimated there, alpha would
        # grow and shrink them further. It stays until the fit is back at its best
        # (measured on real data: docs, benchmarks page), within 1e-9 of it, as a fit
        # that finds its way back to the same minimum gets there up to rounding
        level = self.best.value
        return Move(compress(self.objective, point.w, self.omega, self.statistic),
                    point.prior, level + 1e-9 * abs(level))


def compress(objective, w, omega, statistic="mean"):
    """w with each hidden neuron's incoming weights and bias scaled so that its mean
    net statistic over the training set becomes ``omega / gain``.

    All statistics are computed before any neuron is scaled; a neuron whose statistic
    is zero (it has no signal to rescale) is left alone.
    """
    network = objective.network
    with np.errstate(all="ignore"):  # an overflowing statistic is inf: its factor 0
        means = objective.mean_net_statistic(w, statistic)
    gain = network.activation.gain
    factors = [np.divide(omega / gain, m, out=np.ones_like(m), where=m > 0) for m in means]
    return network.scale_hidden(w, factors)


class RandomRestart(_BestKeeping):
    """LM-RR, the paper's baseline: draw fresh random weights, keep the best seen."""

    event = "restart"

    def __init__(self, trigger, objective, start, draw):
        super().__init__(trigger, objective, start)
        self.draw = draw

    def _act(self, point, improved):
        return Move(self.draw(), self.start.prior)  # a fresh start, its prior's too


def make_policy(compression, trigger, *, objective, start, draw, beta=1e-4,
                interval=None, omega=0.1, rho=1.1, statistic="mean", window=1):
    """The policy named by ``compression`` (None, "adaptive" or "restart") for a run
    from the point ``start``; ``window``, the iterations over which the stall
    trigger measures the change."""
    if compression is None:
        return NoPolicy()
    if trigger == "interval":
        fire = IntervalTrigger(interval)
    else:
        fire = StallTrigger(beta) if window == 1 else WindowStallTrigger(beta, window)
    if compression == "adaptive":
        return AdaptiveCompression(fire, objective, start, omega, rho, statistic)
    return RandomRestart(fire, objective, start, draw)
