"""What to do when LM stalls: adaptive weight compression, random restarts, or nothing.

A policy is consulted after every iteration but the last. When its trigger fires it
returns new weights (an ``event``, named by the policy); the solver then resets mu
and takes its next step without the error check, so the network can leave the old
basin. ``finish`` hands back the best weights seen when the final ones are worse.
"""

import numpy as np


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


class NoPolicy:
    """Plain LM."""

    event = None  # never acts

    def observe(self, iteration, w, value, previous):
        return None

    def finish(self, w, value):
        return w, value


class _BestKeeping:
    """Shared state of the policies that act on a trigger and remember the best weights,
    with what the objective had learned there (a Bayesian alpha): restored with
    them."""

    def __init__(self, trigger, objective, w, value):
        self.trigger, self.objective = trigger, objective
        self.start_state = objective.state()
        self.best_w, self.best_value, self.best_state = w.copy(), value, self.start_state

    def observe(self, iteration, w, value, previous):
        if not self.trigger(iteration, value, previous):
            return None
        improved = self._restated(w, value) <= self.best_value
        if improved:
            self.best_w, self.best_value = w.copy(), value
            self.best_state = self.objective.state()
        return self._act(w, improved)

    def finish(self, w, value):
        if self._restated(w, value) > self.best_value:
            self.objective.restore(self.best_state)
            return self.best_w.copy(), self.best_value
        return w, value

    def _restated(self, w, value):
        """The objective at w under the best point's penalty (see
        ``Objective.restate``)."""
        return self.objective.restate(w, value, self.best_state)


class AdaptiveCompression(_BestKeeping):
    """LM-WC: rescale every hidden neuron so that its net statistic (``"mean"``: the
    mean |net| over the training set; ``"authors"``: see ``Network.net_statistic``)
    becomes omega / gain.

    ``omega`` grows by ``rho`` after an improvement since the last compression;
    otherwise it shrinks by ``rho`` and the best weights (with the objective's state
    there) are restored first. The objective's prior then learns nothing until the
    fit is back at or below the best value (``Objective.hold_prior``).
    """

    event = "compression"

    def __init__(self, trigger, objective, w, value, omega=0.1, rho=1.1, statistic="mean"):
        super().__init__(trigger, objective, w, value)
        self.omega, self.rho, self.statistic = omega, rho, statistic

    def _act(self, w, improved):
        if improved:
            self.omega *= self.rho
        else:
            self.omega /= self.rho
            w = self.best_w
            self.objective.restore(self.best_state)
        # compressed weights are small and fit worse: re-estimated there, alpha would
        # grow and shrink them further. It stays until the fit is back at its best
        # (measured on real data: docs, benchmarks page)
        self.objective.hold_prior(self.best_value)
        return compress(self.objective, w, self.omega, self.statistic)


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

    def __init__(self, trigger, objective, w, value, draw):
        super().__init__(trigger, objective, w, value)
        self.draw = draw

    def _act(self, w, improved):
        self.objective.restore(self.start_state)  # a fresh start, its prior's too
        return self.draw()


def make_policy(compression, trigger, *, objective, w, value, draw, beta=1e-4,
                interval=None, omega=0.1, rho=1.1, statistic="mean", window=1):
    """The policy named by ``compression`` (None, "adaptive" or "restart");
    ``window``, the iterations over which the stall trigger measures the change."""
    if compression is None:
        return NoPolicy()
    if trigger == "interval":
        fire = IntervalTrigger(interval)
    else:
        fire = StallTrigger(beta) if window == 1 else WindowStallTrigger(beta, window)
    if compression == "adaptive":
        return AdaptiveCompression(fire, objective, w, value, omega, rho, statistic)
    return RandomRestart(fire, objective, w, value, draw)
