"""First-order solvers: the authors' EBP, SGD with momentum, Adam and RMSprop.

An iteration is an epoch: one pass of gradient steps over the data, full-batch or in
mini-batches (slices of a permutation of the rows drawn per epoch by the run's
RandomState), followed by one value pass, which the policy (compression, restarts),
the goal and the monitor see as they see an LM iteration's (``_loop.run_iterations``).
The update rules are small classes (``reset`` forgets their state, as after a policy
event; ``update`` is a step from a gradient and a learning rate); the schedules give
the learning rate of each epoch. Knows an ``Objective`` and a policy; nothing of
scikit-learn.
"""

import numpy as np
from sklearn.utils import gen_batches

from ._loop import Values, run_iterations

# the adaptive schedule divides the rate by this after a plateau, down to _RATE_FLOOR,
# below which the tol rule may end the fit (scikit-learn's MLP)
_ADAPTIVE_DIVISOR, _RATE_FLOOR = 5.0, 1e-6
# the solvers of this module, by the names the estimators take
SOLVERS = ("ebp", "sgd", "adam", "rmsprop")
# epochs over which the stall trigger measures the change of the objective. Measured
# (benchmarks/first_order_trigger.py, results/first_order_trigger.md: EBP and Adam on
# parity-5 and peaks, beta 1e-3): over 1 epoch the trigger fires on 25-93% of plain
# runs' epochs, over 200 on 0-10%; WC succeeded in 22 of 48 runs with 200, 15 with
# 50, 17 with 10, 10 with 1, and plain runs in 14
STALL_WINDOW = 200
_AUTO_BATCH = 200  # batch_size="auto": scikit-learn's MLP's min(200, n_samples)


class Gradient:
    """A request of a run for the objective's gradient at w over the samples ``rows``
    (None: all of them), the prior in state ``prior``; answered by ``(g, weight)``
    (``Objective.gradient``)."""

    def __init__(self, objective, w, rows, prior):
        self.objective, self.w, self.rows, self.prior = objective, w, rows, prior

    def serve(self):
        return self.objective.gradient(self.w, self.rows, self.prior)


class Momentum:
    """Gradient descent with momentum (scikit-learn's ``SGDOptimizer``): ``v <-
    momentum * v - rate * g``; the step is v, or with Nesterov's momentum ``momentum *
    v - rate * g``."""

    def __init__(self, momentum, nesterov=False):
        self.momentum, self.nesterov = momentum, nesterov
        self.reset()

    def reset(self):
        self.velocity = 0.0

    def update(self, g, rate):
        self.velocity = self.momentum * self.velocity - rate * g
        return self.momentum * self.velocity - rate * g if self.nesterov else self.velocity


class Adam:
    """Adam (Kingma & Ba 2015) in scikit-learn's ``AdamOptimizer`` form: after t steps,
    ``m <- beta_1 m + (1 - beta_1) g``, ``v <- beta_2 v + (1 - beta_2) g^2`` and the step
    is ``-rate * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)``."""

    def __init__(self, beta_1, beta_2, epsilon):
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.reset()

    def reset(self):
        self.t, self.m, self.v = 0, 0.0, 0.0

    def update(self, g, rate):
        self.t += 1
        self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * g
        self.v = self.beta_2 * self.v + (1.0 - self.beta_2) * g * g
        rate = rate * np.sqrt(1.0 - self.beta_2 ** self.t) / (1.0 - self.beta_1 ** self.t)
        return -rate * self.m / (np.sqrt(self.v) + self.epsilon)


class RMSprop:
    """RMSprop (Tieleman & Hinton 2012): ``v <- decay v + (1 - decay) g^2``, the step
    ``-rate * g / (sqrt(v) + epsilon)``."""

    def __init__(self, decay, epsilon):
        self.decay, self.epsilon = decay, epsilon
        self.reset()

    def reset(self):
        self.v = 0.0

    def update(self, g, rate):
        self.v = self.decay * self.v + (1.0 - self.decay) * g * g
        return -rate * g / (np.sqrt(self.v) + self.epsilon)


class Schedule:
    """The learning rate of each epoch ``t`` (0 for the first) from ``initial``.

    ``"constant"``; ``"invscaling"``: ``initial / (t + 1) ** power_t``; ``"step"``:
    ``initial * decay_rate ** floor(t / decay_steps)``; ``"exponential"``: ``initial *
    decay_rate ** (t / decay_steps)``; ``"adaptive"``: ``initial``, divided by 5 each
    time more than ``n_iter_no_change`` epochs in a row fail to lower the training
    loss below its best by more than ``tol`` (``observe``), as scikit-learn's MLP does.
    """

    def __init__(self, kind, initial, power_t=0.5, decay_rate=0.5, decay_steps=100,
                 tol=None, n_iter_no_change=10):
        self.kind, self.initial, self.power_t = kind, initial, power_t
        self.decay_rate, self.decay_steps = decay_rate, decay_steps
        self.tol = 0.0 if tol is None else tol
        self.n_iter_no_change = n_iter_no_change
        self.current, self.best, self.no_improvement = initial, np.inf, 0

    def rate(self, t):
        if self.kind == "invscaling":
            return self.initial / (t + 1) ** self.power_t
        if self.kind == "step":
            return self.initial * self.decay_rate ** (t // self.decay_steps)
        if self.kind == "exponential":
            return self.initial * self.decay_rate ** (t / self.decay_steps)
        return self.current  # constant, or adaptive's current rate

    def observe(self, loss):
        """After an epoch of mean training loss ``loss``: whether the adaptive rate is
        spent (a plateau at the floor), when the tol rule may end the fit."""
        if self.kind != "adaptive":
            return True
        self.no_improvement = self.no_improvement + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        if self.no_improvement <= self.n_iter_no_change:
            return False
        if self.current <= _RATE_FLOOR:
            return True
        self.current /= _ADAPTIVE_DIVISOR
        self.no_improvement = 0
        return False


def clip(g, max_norm):
    """g scaled down to an L2 norm of ``max_norm`` when longer (None: unclipped)."""
    if max_norm is None:
        return g
    norm = np.linalg.norm(g)
    return g * (max_norm / norm) if norm > max_norm else g


def first_order_run(objective, start, policy, *, rule, schedule, batch_size=None,
                    shuffle=True, rng=None, summed=False, max_grad_norm=None, max_iter=200,
                    goal=0.0, callback=None):
    """Minimise ``objective`` from ``start`` (a ``Point`` or weights) by the update
    ``rule`` (a run: see ``_loop.serve``), an epoch per iteration.

    ``batch_size`` None or at least the number of samples: full-batch steps, else
    mini-batches of that many rows (``"auto"``: 200, as scikit-learn's MLP),
    reshuffled every epoch with ``rng`` when ``shuffle``. ``summed``: the step follows
    the gradient of the summed objective (the authors' EBP), else of the objective
    divided by the batch's summed sample weights (the mean loss, as scikit-learn's
    MLP). ``max_grad_norm`` clips that
    gradient's norm. After a policy event the rule's state (velocity, moments) is
    reset, so that the next step is a plain gradient step. An epoch whose weights or
    objective stop being finite is undone (the rule reset). ``callback(iteration,
    point, mean_loss, move)`` as for ``lm_run``; with the adaptive schedule its
    request to stop is honoured only once the rate is spent.
    """
    n = objective.X.shape[0]
    batch_size = _AUTO_BATCH if batch_size == "auto" else batch_size
    full = batch_size is None or batch_size >= n
    epochs = 0

    def step(point, after_event):
        nonlocal epochs
        if after_event:
            rule.reset()
        rate = schedule.rate(epochs)
        epochs += 1
        w = point.w
        if full:
            batches = [None]
        else:
            order = rng.permutation(n) if shuffle else np.arange(n)
            batches = (order[s] for s in gen_batches(n, batch_size))
        for rows in batches:
            g, weight = yield Gradient(objective, w, rows, point.prior)
            if not summed:
                if weight <= 0:  # a batch of zero-weight samples says nothing
                    continue
                g = g / weight
            g = clip(g, max_grad_norm)
            if not np.all(np.isfinite(g)):
                break
            w = w + rule.update(g, rate)
        else:
            new, = yield Values(objective, [w], point.prior, point.hold)
            if new.value < np.inf and np.all(np.isfinite(w)):
                return new
        rule.reset()
        return point

    report = callback
    if schedule.kind == "adaptive":
        def report(iteration, point, loss, move):
            stop = callback is not None and callback(iteration, point, loss, move)
            return schedule.observe(loss) and stop

    return (yield from run_iterations(objective, start, policy, step, max_iter=max_iter,
                                      goal=goal, callback=report))


def _rule(name, first_order):
    f = first_order
    if name == "adam":
        return Adam(f.beta_1, f.beta_2, f.epsilon)
    if name == "rmsprop":
        return RMSprop(f.beta_2, f.epsilon)
    return Momentum(f.momentum, name == "sgd" and f.nesterovs_momentum)


def run_options(name, options, rng):
    """``first_order_run``'s keyword arguments for the solver ``name`` from the fit's
    options (``_options.FitOptions``: its ``first_order`` settings, and the tol rule
    the adaptive schedule shares); ``rng``, the run's RandomState (its shuffles)."""
    ebp = name == "ebp"  # the authors': full batch, summed gradient
    f, stopping = options.solver.first_order, options.stopping
    return dict(
        rule=_rule(name, f),
        schedule=Schedule(f.learning_rate, f.learning_rate_init, f.power_t, f.decay_rate,
                          f.decay_steps, stopping.tol, stopping.n_iter_no_change),
        batch_size=None if ebp else f.batch_size, shuffle=f.shuffle, rng=rng, summed=ebp,
        max_grad_norm=f.max_grad_norm)
