"""Tests of the first-order solvers (_first_order.py) and of Objective.gradient, which
they use, and of the estimators trained by them."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._compression import NoPolicy, make_policy
from sklearn_lmwc._first_order import (
    SOLVERS,
    Adam,
    Momentum,
    RMSprop,
    Schedule,
    clip,
    first_order_run,
)
from sklearn_lmwc._loop import serve
from sklearn_lmwc._losses import LogLoss, SquaredError
from sklearn_lmwc._network import TOPOLOGIES, Network
from sklearn_lmwc._objective import Objective
from sklearn_lmwc.datasets import make_parity

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.usefixtures("one_blas_thread"),
]


def _gradients(n_steps=5, shape=(7,), seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=shape) for _ in range(n_steps)]


# ---- the update rules against independent implementations ---------------------------
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_scikit_learns_sgd(nesterov):
    w, ref = np.zeros(7), [np.zeros(7)]
    sgd = SGDOptimizer(ref, learning_rate_init=0.05, momentum=0.8, nesterov=nesterov)
    rule = Momentum(0.8, nesterov)
    for g in _gradients():
        w = w + rule.update(g, 0.05)
        sgd.update_params(ref, [g])
        assert_allclose(w, ref[0], rtol=1e-14, atol=1e-15)


def test_adam_matches_scikit_learns_adam():
    w, ref = np.zeros(7), [np.zeros(7)]
    adam = AdamOptimizer(ref, learning_rate_init=0.01, beta_1=0.8, beta_2=0.99,
                         epsilon=1e-7)
    rule = Adam(0.8, 0.99, 1e-7)
    for g in _gradients(8):
        w = w + rule.update(g, 0.01)
        adam.update_params(ref, [g])
        assert_allclose(w, ref[0], rtol=1e-13, atol=1e-15)


def test_rmsprop_by_hand():
    # the textbook recursion written out, two steps
    g1, g2 = _gradients(2)
    rule = RMSprop(0.9, 1e-8)
    v1 = 0.1 * g1 ** 2
    assert_allclose(rule.update(g1, 0.01), -0.01 * g1 / (np.sqrt(v1) + 1e-8))
    v2 = 0.9 * v1 + 0.1 * g2 ** 2
    assert_allclose(rule.update(g2, 0.01), -0.01 * g2 / (np.sqrt(v2) + 1e-8))


@pytest.mark.parametrize("rule", [Momentum(0.9, True), Adam(0.9, 0.999, 1e-8),
                                  RMSprop(0.9, 1e-8)])
def test_reset_makes_the_next_step_a_fresh_one(rule):
    g1, g2 = _gradients(2)
    first = rule.update(g2, 0.1)
    rule.reset()
    rule.update(g1, 0.1)
    rule.reset()
    assert_array_equal(rule.update(g2, 0.1), first)


# ---- schedules and clipping ---------------------------------------------------------
def test_schedules_follow_their_formulas():
    t = np.arange(250)
    assert [Schedule("constant", 0.1).rate(k) for k in t] == [0.1] * 250
    assert_allclose([Schedule("invscaling", 0.1, power_t=0.25).rate(k) for k in t],
                    0.1 / (t + 1.0) ** 0.25)
    step = Schedule("step", 0.1, decay_rate=0.3, decay_steps=100)
    assert_allclose([step.rate(k) for k in t], 0.1 * 0.3 ** np.floor(t / 100))
    exponential = Schedule("exponential", 0.1, decay_rate=0.3, decay_steps=100)
    assert_allclose([exponential.rate(k) for k in t], 0.1 * 0.3 ** (t / 100))


def test_adaptive_schedule_divides_by_five_after_a_plateau():
    schedule = Schedule("adaptive", 1e-5, tol=1e-3, n_iter_no_change=2)
    losses = [1.0, 0.5, 0.4999, 0.4999, 0.4999] + [0.3] * 4 + [0.3] * 3
    spent, rates = [], []
    for loss in losses:
        spent.append(schedule.observe(loss))
        rates.append(schedule.rate(0))
    # three epochs without an improvement of tol: divided by 5 (count reset), twice;
    # the third plateau finds the rate at most 1e-6: spent, the tol rule may end the fit
    assert_allclose(rates, [1e-5] * 4 + [2e-6] * 4 + [4e-7] * 4)
    assert spent == [False] * 11 + [True]


def test_clip_scales_long_gradients_only():
    g = np.array([3.0, 4.0])
    assert_allclose(clip(g, 1.0), [0.6, 0.8])
    assert clip(g, 10.0) is g
    assert clip(g, None) is g


# ---- the gradient ------------------------------------------------------------------
def _objective(loss="squared_error", n=30, alpha=0.3, weights=True, topology="bmlp",
               n_out=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    network = Network(3, (3, 2), n_out, topology, "tanh", 1.3)
    if loss == "squared_error":
        Y, loss_ = rng.normal(size=(n, n_out)), SquaredError()
    else:
        Y, loss_ = np.eye(n_out)[rng.randint(n_out, size=n)], LogLoss("softmax")
    sw = rng.uniform(0.2, 2.0, n) if weights else None
    objective = Objective(network, loss_, X, Y, sw, alpha=alpha)
    return objective, rng.uniform(-1, 1, network.n_weights)


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
def test_gradient_matches_finite_differences(loss, topology):
    objective, w = _objective(loss, topology=topology)
    g, weight = objective.gradient(w)
    assert weight == pytest.approx(objective.sample_weight.sum())
    h, fd = 1e-6, np.empty_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        fd[i] = (objective.value(w + e) - objective.value(w - e)) / (2 * h)
    assert_allclose(g, fd, rtol=1e-6, atol=1e-7 * np.abs(fd).max())


@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
def test_mini_batch_gradients_add_up_to_the_full_one(loss):
    # the penalty's share goes with the batch's share of the sample weights
    objective, w = _objective(loss)
    order = np.random.RandomState(1).permutation(30)
    parts = [objective.gradient(w, order[s]) for s in (slice(0, 7), slice(7, 20),
                                                        slice(20, 30))]
    full, weight = objective.gradient(w)
    assert_allclose(sum(g for g, _ in parts), full, rtol=1e-12, atol=1e-12)
    assert sum(wt for _, wt in parts) == pytest.approx(weight)
    # one batch's loss part is its own rows' gradient: the rows alone, unweighted
    alone, _ = _objective(loss, alpha=0.0)
    sub = Objective(alone.network, alone.loss, alone.X[order[:7]], alone.Y[order[:7]],
                    alone.sample_weight[order[:7]], alpha=0.0)
    assert_allclose(alone.gradient(w, order[:7])[0], sub.gradient(w)[0], rtol=1e-12)


def test_gradient_reuses_a_value_pass_state():
    objective, w = _objective()
    objective.passes.keep_states = True
    reference = objective.gradient(w)[0]
    objective.value(w)
    assert objective.passes.kept(w) is not None
    assert_allclose(objective.gradient(w)[0], reference, rtol=1e-14, atol=1e-14)


# ---- runs -----------------------------------------------------------------------------
class _Recording(Objective):
    """An objective that records the rows of every gradient request."""

    def gradient(self, w, rows=None, prior=None):
        self.requests.append(rows)
        return super().gradient(w, rows, prior)


def _recording(n=23):
    rng = np.random.RandomState(0)
    network = Network(2, (3,), 1, "mlp", "tanh")
    objective = _Recording(network, SquaredError(), rng.normal(size=(n, 2)),
                           rng.normal(size=(n, 1)))
    objective.requests = []
    return objective, rng.uniform(-1, 1, network.n_weights)


@pytest.mark.parametrize("shuffle", [True, False])
def test_mini_batches_cover_each_sample_once_per_epoch(shuffle):
    objective, w = _recording(23)
    run = first_order_run(objective, w, NoPolicy(), rule=Adam(0.9, 0.999, 1e-8),
                          schedule=Schedule("constant", 1e-3), batch_size=5,
                          shuffle=shuffle, rng=np.random.RandomState(0), max_iter=3)
    assert serve(run).n_iter == 3
    requests = objective.requests
    assert [len(r) for r in requests] == [5, 5, 5, 5, 3] * 3
    epochs = [np.concatenate(requests[5 * k:5 * k + 5]) for k in range(3)]
    for rows in epochs:
        assert_array_equal(np.sort(rows), np.arange(23))
    if shuffle:  # a new permutation every epoch
        assert not np.array_equal(epochs[0], epochs[1])
    else:
        assert all(np.array_equal(rows, np.arange(23)) for rows in epochs)


def test_full_batch_momentum_run_is_gradient_descent_by_hand():
    # EBP, the authors' rule: v <- m v - c g, w <- w + v, g of the summed objective
    objective, w0 = _recording(23)
    result = serve(first_order_run(objective, w0, NoPolicy(), rule=Momentum(0.5),
                                   schedule=Schedule("constant", 0.01), summed=True,
                                   max_iter=4))
    w, v = w0.copy(), 0.0
    for _ in range(4):
        v = 0.5 * v - 0.01 * objective.gradient(w)[0]
        w = w + v
    assert_allclose(result.w, w, rtol=1e-13)
    assert result.value == pytest.approx(objective.value(w), rel=1e-13)
    assert all(rows is None for rows in objective.requests)  # full batches


def test_gradient_norm_clipping_bounds_each_step():
    # plain gradient steps (no momentum): each moves the weights by rate * at most
    # max_grad_norm
    objective, w0 = _recording(23)
    result = serve(first_order_run(objective, w0, NoPolicy(), rule=Momentum(0.0),
                                   schedule=Schedule("constant", 0.1), max_grad_norm=1e-3,
                                   max_iter=1))
    g, weight = objective.gradient(w0)
    assert np.linalg.norm(g / weight) > 1e-3  # the clip acts
    assert_allclose(np.linalg.norm(result.w - w0), 0.1 * 1e-3, rtol=1e-12)


def test_a_diverging_epoch_is_undone():
    objective, w0 = _recording(23)
    result = serve(first_order_run(objective, w0, NoPolicy(), rule=Momentum(0.0),
                                   schedule=Schedule("constant", 1e200), summed=True,
                                   max_iter=3))
    assert_array_equal(result.w, w0)
    assert result.value == objective.value(w0)


def test_events_reset_the_rule():
    # every compression (interval 2) is followed by a fresh Adam: its step count
    # restarts, so after the run it counts the epochs since the last event
    objective, w0 = _recording(23)
    start = objective.start(w0)
    policy = make_policy("adaptive", "interval", objective=objective, start=start,
                         draw=None, interval=2)
    rule = Adam(0.9, 0.999, 1e-8)
    result = serve(first_order_run(objective, start, policy, rule=rule,
                                   schedule=Schedule("constant", 1e-2), max_iter=7))
    assert [it for it, _ in result.events] == [2, 4, 6]
    assert rule.t == 1  # epoch 7, the first after the event of epoch 6 (full batch)


# ---- the estimators -------------------------------------------------------------------
def _parity():
    return make_parity(4)


@pytest.mark.parametrize("solver", SOLVERS)
def test_deterministic_and_picklable(solver):
    X, y = _parity()
    est = LMWCRegressor((3,), solver=solver, learning_rate_init=0.01, batch_size=5,
                        max_iter=30, random_state=0)
    a, b = est.fit(X, y), LMWCRegressor(**est.get_params()).fit(X, y)
    assert a.loss_curve_ == b.loss_curve_
    for c, d in zip(a.coefs_, b.coefs_):
        assert_array_equal(c, d)
    again = pickle.loads(pickle.dumps(a))
    assert_array_equal(again.predict(X), a.predict(X))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_every_topology_and_loss_trains(solver, topology):
    X, y = _parity()
    rate = 0.01 if solver == "ebp" else 0.02
    for est in (LMWCRegressor((2, 2), topology=topology, solver=solver,
                              learning_rate_init=rate, max_iter=60, tol=None,
                              random_state=0),
                LMWCClassifier((2, 2), topology=topology, solver=solver,
                               learning_rate_init=rate, max_iter=60, tol=None,
                               random_state=0)):
        est.fit(X, y > 0)
        assert est.n_iter_ == 60
        assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_alpha_auto_is_zero_and_one_trial_for_first_order_solvers():
    X, y = _parity()
    est = LMWCRegressor((3,), solver="adam", max_iter=5, random_state=0).fit(X, y)
    assert est.alpha_ == 0.0 and est.log_evidence_ is None
    assert len(est.init_results_["loss"]) == 1
    # and a float alpha trains with its penalty
    est = LMWCRegressor((3,), solver="adam", alpha=0.5, max_iter=5, random_state=0).fit(X, y)
    assert est.alpha_ == 0.5


@pytest.mark.parametrize("params, message", [
    (dict(solver="adam", alpha="bayes"), 'trains with a fixed alpha'),
    (dict(solver="sgd", weight_groups="ard"), "here 0.0"),
    (dict(solver="rmsprop", learning_rate="linear"), "learning_rate"),
    (dict(solver="sgd", batch_size=0), "batch_size"),
    (dict(solver="sgd", momentum=1.5), "momentum"),
    (dict(solver="adam", beta_1=1.0), "beta_1"),
    (dict(solver="adam", decay_rate=0.0), "decay_rate"),
    (dict(solver="adam", max_grad_norm=0.0), "max_grad_norm"),
])
def test_bad_parameters_raise(params, message):
    X, y = _parity()
    with pytest.raises(ValueError, match=message):
        LMWCRegressor(**params).fit(X, y)


@pytest.mark.parametrize("compression", ["adaptive", "restart"])
@pytest.mark.parametrize("solver", ["ebp", "adam"])
def test_compression_and_restarts_act(solver, compression):
    X, y = _parity()
    common = dict(hidden_layer_sizes=(2,), topology="fcc", solver=solver,
                  learning_rate_init=0.01, trigger="interval", interval=25, max_iter=100,
                  tol=None, random_state=0)
    est = LMWCRegressor(compression=compression, **common).fit(X, y)
    plain = LMWCRegressor(compression=None, **common).fit(X, y)
    assert est.n_compressions_ == 3  # at 25, 50, 75: not after the last epoch
    assert len(est.loss_curve_) == 103
    assert est.loss_curve_[:25] == plain.loss_curve_[:25]
    assert est.loss_curve_[25:] != plain.loss_curve_[25:]
    # the best point is kept: no worse than any epoch's end that a policy saw
    assert est.loss_ <= min(est.loss_curve_[24::25][:3]) + 1e-12


def test_stall_trigger_of_first_order_solvers_spans_a_window():
    # with beta this loose the one-epoch trigger would fire after every epoch; the
    # window makes compressions at least STALL_WINDOW epochs apart
    from sklearn_lmwc._first_order import STALL_WINDOW
    X, y = _parity()
    est = LMWCRegressor((2,), topology="fcc", solver="adam", beta=0.5,
                        max_iter=3 * STALL_WINDOW + 5, tol=None, random_state=0).fit(X, y)
    assert est.n_compressions_ == 3


def test_early_stopping_with_a_first_order_solver():
    X, y = _parity()
    X, y = np.repeat(X, 4, axis=0), np.repeat(y, 4)
    est = LMWCRegressor((3,), solver="adam", learning_rate_init=1e-5, early_stopping=True,
                        n_iter_no_change=3, max_iter=500, random_state=0).fit(X, y)
    assert est.n_iter_ < 500
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("solver", ["ebp", "adam"])
@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
def test_integer_sample_weight_is_repetition_in_full_batch(solver, loss):
    X, y = _parity()
    y = y > 0
    counts = np.random.RandomState(0).randint(1, 4, len(y))
    params = dict(hidden_layer_sizes=(3,), solver=solver, batch_size=1000, loss=loss,
                  alpha=0.1, learning_rate_init=0.01, max_iter=20, tol=None,
                  compression=None, random_state=0)
    weighted = LMWCClassifier(**params).fit(X, y, sample_weight=counts)
    repeated = LMWCClassifier(**params).fit(np.repeat(X, counts, axis=0),
                                            np.repeat(y, counts))
    for a, b in zip(weighted.coefs_, repeated.coefs_):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)


def test_adaptive_learning_rate_keeps_training_past_the_tol_rule():
    # steps far too small to improve by tol: the tol rule ends a constant-rate fit at
    # its first plateau; adaptive divides the rate by 5 there and goes on until the
    # rate is spent
    X, y = _parity()
    common = dict(hidden_layer_sizes=(3,), solver="sgd", learning_rate_init=1e-4,
                  tol=1e-2, n_iter_no_change=2, max_iter=500, compression=None,
                  random_state=0)
    constant = LMWCRegressor(**common).fit(X, y)
    adaptive = LMWCRegressor(learning_rate="adaptive", **common).fit(X, y)
    # epoch 1 improves on nothing; 3 more without improvement end the plateau
    assert constant.n_iter_ == 4
    # plateaus end at epochs 4, 7, 10 (rate 1e-4 -> 2e-5 -> 4e-6 -> 8e-7), and the
    # one ending at 13 finds it spent
    assert adaptive.n_iter_ == 13


def test_input_arrays_are_not_modified():
    X, y = _parity()
    X0, y0 = X.copy(), y.copy()
    sw = np.linspace(0.5, 2.0, len(y))
    sw0 = sw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        LMWCRegressor((2,), solver="sgd", batch_size=3, max_iter=5,
                      random_state=0).fit(X, y, sample_weight=sw)
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)
    assert_array_equal(sw, sw0)


def test_sparse_input_gives_the_dense_fit_in_mini_batches():
    from scipy.sparse import csr_matrix
    X, y = _parity()
    X = np.where(X > 0, X, 0.0)
    params = dict(hidden_layer_sizes=(3,), solver="sgd", batch_size=5, max_iter=10,
                  random_state=0)
    dense = LMWCRegressor(**params).fit(X, y)
    sparse = LMWCRegressor(**params).fit(csr_matrix(X), y)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-12)


@pytest.mark.parametrize("activation", ["elu", "selu", "leaky_relu", "softplus"])
@pytest.mark.parametrize("solver", ["lm", "adam"])
def test_new_activations_train_with_every_kind_of_solver(activation, solver):
    X, y = _parity()
    est = LMWCRegressor((4,), activation=activation, solver=solver, init="lecun",
                        learning_rate_init=0.01, max_iter=30, tol=None, random_state=0,
                        alpha=0.0).fit(X, y)
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert all(0.0 <= s <= 1.0 for s in est.saturation_curve_)
