"""Tests of the per-iteration monitor (_stopping.py): the ``tol`` rule, early stopping's
metric and best weights, what is recorded per iteration, and the verbose lines.

The monitor is fed synthetic loss and score sequences; where it stops is computed
here from the rule's text (``_reference_stop``), over the whole sequence at once,
not by replaying the monitor's running state.
"""

import re
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from sklearn_lmwc._bayes import PriorState
from sklearn_lmwc._compression import Move
from sklearn_lmwc._objective import Point
from sklearn_lmwc._stopping import Monitor

_STATE = PriorState(0.0, None)


def _point(w, prior=_STATE, flat=None):
    return Point(w, 1.0, prior, flat)


def _move(event):
    """A policy's move when ``event``, else None."""
    return Move(np.zeros(3), _STATE) if event else None


def _reference_stop(metrics, tol, n_iter_no_change):
    """1-based iteration after which the rule ends the fit, or None.

    An iteration improves when its metric is below the best of all earlier ones by
    more than tol; the fit stops after n_iter_no_change + 1 iterations in a row
    without improvement.
    """
    metrics = np.asarray(metrics, dtype=float)
    best_before = np.concatenate([[np.inf], np.minimum.accumulate(metrics)[:-1]])
    stalled = ~(metrics < best_before - tol)
    window = n_iter_no_change + 1
    if len(metrics) < window:
        return None
    full = np.flatnonzero(sliding_window_view(stalled, window).all(axis=1))
    return int(full[0]) + window if full.size else None


def _run(monitor, losses, events=None):
    """Feed one loss per iteration (weights: the iteration's number) until the
    monitor says stop; the iteration it stopped after, or None."""
    for i, loss in enumerate(losses, 1):
        event = False if events is None else events[i - 1]
        if monitor(i, _point(np.full(3, float(i))), loss, _move(event)):
            return i
    return None


def _noisy_descent(seed, n=300):
    # decreasing on the whole, with noise: improvements, stalls and resets mixed
    rng = np.random.default_rng(seed)
    return np.exp(-np.arange(n) / 40.0) + 0.02 * rng.random(n)


# ---- the tol rule on the training loss ----------------------------------------------

# every case's stopping iteration comes from _reference_stop; what each one exercises:
_CASES = {
    # nothing improves after the first iteration
    "constant": (np.ones(30), 1e-3, 3),
    # every iteration below the previous by 0.4 tol: never more than tol below the
    # best so far (a best kept only at improvements would see one every third step)
    "creep below tol": (1.0 - 0.04 * np.arange(30), 0.1, 4),
    # improvements by more than tol, then a stall
    "steps then flat": (np.r_[1.0 - 0.3 * np.arange(4), np.full(20, 0.1)], 0.2, 2),
    # worse iterations, then an improvement just before the limit resets the count
    "reset": (np.r_[1.0, np.full(3, 2.0), 0.5, np.full(20, 3.0)], 0.01, 3),
    # n_iter_no_change=0: the first iteration without improvement ends the fit
    "no patience": (np.r_[1.0, 0.5, 0.25, 0.3, 0.1], 0.0, 0),
}


@pytest.mark.parametrize("losses, tol, n_iter_no_change", _CASES.values(), ids=_CASES)
def test_tol_rule_stops_where_the_rule_says(losses, tol, n_iter_no_change):
    expected = _reference_stop(losses, tol, n_iter_no_change)
    assert expected is not None  # every case stops within its sequence
    assert _run(Monitor(tol, n_iter_no_change), losses) == expected


def test_an_improvement_resets_the_count():
    # the same stall, with and without an improvement inside it
    stall = np.ones(10)
    reset = stall.copy()
    reset[3] = 0.5
    n_iter_no_change = 3
    stops = [_run(Monitor(1e-3, n_iter_no_change), losses) for losses in (stall, reset)]
    assert stops == [_reference_stop(stall, 1e-3, n_iter_no_change),
                     _reference_stop(reset, 1e-3, n_iter_no_change)]
    # a stall of n_iter_no_change + 1 iterations after the last improvement
    assert stops[0] == 1 + n_iter_no_change + 1
    assert stops[1] == 4 + n_iter_no_change + 1


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("tol", [0.0, 1e-3, 1e-2])
@pytest.mark.parametrize("n_iter_no_change", [0, 2, 10])
def test_tol_rule_on_noisy_descents(seed, tol, n_iter_no_change):
    losses = _noisy_descent(seed)
    expected = _reference_stop(losses, tol, n_iter_no_change)
    assert expected is not None
    assert _run(Monitor(tol, n_iter_no_change), losses) == expected


def test_noisy_descents_exercise_resets():
    # the sequences above do stall and then improve again before the rule stops them
    losses, tol, n_iter_no_change = _noisy_descent(0), 1e-3, 10
    stop = _reference_stop(losses, tol, n_iter_no_change)
    best_before = np.r_[np.inf, np.minimum.accumulate(losses)[:-1]]
    improves = (losses < best_before - tol)[:stop]
    resets = improves[1:] & ~improves[:-1]
    assert stop is not None and resets.sum() >= 3


def test_events_do_not_pause_the_count():
    # compressions and restarts at any iteration: the fit still ends on the stall
    losses, n_iter_no_change = np.r_[1.0, 0.5, np.full(10, 0.6)], 4
    events = [i % 2 == 0 for i in range(len(losses))]
    expected = _reference_stop(losses, 0.0, n_iter_no_change)
    assert _run(Monitor(0.0, n_iter_no_change), losses, events) == expected


def test_tol_none_never_stops():
    losses = 1.0 + np.arange(50.0)  # worse at every iteration
    # with tol=0 the rule stops this sequence at once
    assert _run(Monitor(0.0, 0), losses) == _reference_stop(losses, 0.0, 0) == 2
    assert _run(Monitor(None, 0), losses) is None


def test_an_equal_metric_is_no_improvement():
    # a metric equal to the best so far is not below it by more than tol=0: iterations
    # that keep the weights (mu at mu_max) must not reset the count forever
    losses = np.ones(10)
    assert _run(Monitor(0.0, 2), losses) == _reference_stop(losses, 0.0, 2) == 4


# ---- early stopping: minus the validation score, best weights ----------------------


class _Scores:
    """``validation(w)``: the score of iteration ``w[0]``, recording the weights seen."""

    def __init__(self, scores):
        self.scores, self.seen = scores, []

    def __call__(self, w):
        self.seen.append(w.copy())
        return self.scores[int(w[0]) - 1]


@pytest.mark.parametrize("seed", range(3))
def test_validation_score_drives_the_rule(seed):
    rng = np.random.default_rng(seed)
    scores = 1.0 - _noisy_descent(seed) + 0.01 * rng.random(300)
    losses = np.ones(300)  # the loss stalls at once: it must not be what counts
    tol, n_iter_no_change = 1e-3, 5
    validation = _Scores(scores)
    monitor = Monitor(tol, n_iter_no_change, validation=validation)
    stop = _run(monitor, losses)
    assert stop == _reference_stop(-scores, tol, n_iter_no_change)
    assert stop > _reference_stop(losses, tol, n_iter_no_change)
    # a score per iteration, each of that iteration's weights
    np.testing.assert_array_equal(monitor.scores, scores[:stop])
    np.testing.assert_array_equal([w[0] for w in validation.seen], np.arange(1, stop + 1))


def test_the_best_point_is_the_best_iterations():
    scores = np.array([0.1, 0.5, 0.3, 0.7, 0.7, 0.2, 0.6])
    monitor = Monitor(None, 10, validation=_Scores(scores))
    points = []
    for i in range(1, len(scores) + 1):
        points.append(_point(np.full(3, float(i))))
        monitor(i, points[-1], 1.0, None)
        best = int(np.argmax(scores[:i]))  # first of equal scores
        assert monitor.best_score == scores[best] and monitor.best is points[best]


def test_the_best_point_keeps_the_priors_state_at_its_weights():
    # a Bayesian alpha is state of the fit: early stopping returns it with its weights,
    # not the state a policy's move goes on with
    scores = np.array([0.1, 0.5, 0.3, 0.7, 0.7, 0.2])
    monitor = Monitor(None, 10, validation=_Scores(scores))
    for i in range(1, len(scores) + 1):
        point = _point(np.full(3, float(i)), PriorState(10.0 * i, None))
        monitor(i, point, 1.0, Move(np.zeros(3), PriorState(-1.0, None)))
        assert monitor.best.prior.alpha == 10.0 * (int(np.argmax(scores[:i])) + 1)


def test_without_validation_no_scores_or_best_point():
    monitor = Monitor(1e-3, 2)
    _run(monitor, np.ones(5))
    assert monitor.scores == [] and monitor.best is None


# ---- saturation curve ---------------------------------------------------------------


@pytest.mark.parametrize("validation", [False, True])
@pytest.mark.parametrize("tol", [None, 1e-3])
def test_saturation_is_recorded_per_call(tol, validation):
    rng = np.random.default_rng(0)
    ws = rng.normal(size=(20, 6))
    # the count of flat activations a point carries is passed on (None: none)
    monitor = Monitor(tol, 50, saturation=lambda w, flat: float(np.mean(w > 0)) + (flat or 0),
                      validation=_Scores(np.linspace(0, 1, 20)) if validation else None)
    flats = [None if i % 3 == 0 else i for i in range(1, 21)]
    for i, (w, flat) in enumerate(zip(ws, flats), 1):
        w = w.copy()
        w[0] = i  # the validation's key
        monitor(i, _point(w, flat=flat), 1.0, None)
        ws[i - 1] = w
    assert monitor.saturation_curve == [float(np.mean(w > 0)) + (flat or 0)
                                        for w, flat in zip(ws, flats)]


def test_no_saturation_callable_records_nothing():
    monitor = Monitor(None, 1)
    _run(monitor, np.ones(5))
    assert monitor.saturation_curve == []


# ---- verbose lines ------------------------------------------------------------------

_ITERATION = re.compile(r"^(?P<label>.*?)Iteration (?P<i>\d+), loss = (?P<loss>\S+?)"
                        r"(?:, mu = (?P<mu>[^,]+))?"
                        r"(?:, alpha = (?P<alpha>.+?), gamma = (?P<gamma>[^,]+))?"
                        r", (?P<seconds>\S+) s$")
_EVENT = re.compile(r"^(?P<label>.*?)  \* (?P<what>.*)$")


@pytest.mark.parametrize("label", ["", "Trial 3: "])
@pytest.mark.parametrize("policy", ["compression", "none", "restart"])
def test_verbose_lines(capsys, label, policy):
    # a restart policy has no omega
    policy = {"compression": SimpleNamespace(omega=0.3), "none": None,
              "restart": SimpleNamespace()}[policy]
    monitor = Monitor(None, 1, verbose=2, label=label, policy=policy)
    calls = [(1, 0.123456789, False, 1e-3), (2, 2.5e-7, True, None),
             (3, 1234.56789, True, 10.0), (4, 3.0, False, None)]
    omegas = []
    for i, loss, event, mu in calls:
        if policy is not None and hasattr(policy, "omega"):
            policy.omega = 0.3 * i  # the line shows omega at the time of the event
        omegas.append(getattr(policy, "omega", None))
        monitor(i, _point(np.zeros(2)), loss, _move(event), mu=mu)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(calls) + sum(event for _, _, event, _ in calls)
    for (i, loss, event, mu), omega in zip(calls, omegas):
        match = _ITERATION.match(lines.pop(0))
        assert match and match["label"] == label and int(match["i"]) == i
        assert float(match["loss"]) == pytest.approx(loss, rel=1e-7)
        if mu is None:
            assert match["mu"] is None
        else:
            assert float(match["mu"]) == pytest.approx(mu, rel=0.05)
        assert match["alpha"] is None and float(match["seconds"]) >= 0
        if event:
            match = _EVENT.match(lines.pop(0))
            assert match and match["label"] == label
            if omega is None:
                assert match["what"] == "restart"
            else:
                what, value = match["what"].split(" = ")
                assert what == "compression, omega"
                assert float(value) == pytest.approx(omega, rel=1e-3)


@pytest.mark.parametrize("alpha, gamma, text", [
    (0.25, 3.0, "alpha = 2.50e-01, gamma = 3.0"),
    (0.25, None, "alpha = 2.50e-01, gamma = n/a"),
    (np.array([1e-3, 4.0, 2.0]), np.array([1.0, 2.0, 0.5]),
     "alpha = 1.00e-03 to 4.00e+00 (3 groups), gamma = 3.5"),
])
def test_verbose_lines_show_a_bayesian_prior(capsys, alpha, gamma, text):
    monitor = Monitor(None, 1, verbose=2, gamma=lambda prior: 0.0)
    monitor(1, _point(np.zeros(2), prior=PriorState(alpha, gamma)), 0.5, None, mu=1e-3)
    match = _ITERATION.match(capsys.readouterr().out.strip())
    assert match and f"alpha = {match['alpha']}, gamma = {match['gamma']}" == text


@pytest.mark.parametrize("verbose", [0, 1])
def test_quiet_below_verbose_2(capsys, verbose):
    monitor = Monitor(1e-3, 2, verbose=verbose, policy=SimpleNamespace(omega=0.5))
    _run(monitor, np.ones(5), events=[True] * 5)
    assert capsys.readouterr().out == ""


# ---- damping and effective number of parameters -------------------------------------


@pytest.mark.parametrize("validation", [False, True])
def test_damping_is_recorded_per_call(validation):
    # whatever the solver passes (None from one without a damping), one per call, also
    # on the call at which the tol rule stops
    mus = [1e-3, 1e-4, None, 10.0, 1e-2, 1e-2]
    monitor = Monitor(0.0, 2, validation=_Scores(np.zeros(6)) if validation else None)
    stopped = None
    for i, mu in enumerate(mus, 1):
        if monitor(i, _point(np.full(3, float(i))), 1.0, None, mu):
            stopped = i
            break
    assert stopped == 4  # constant losses and scores: the rule stops after 3 more
    assert monitor.mu_curve == mus[:stopped]


def test_gamma_is_recorded_per_call():
    # the estimate of the state the run goes on with: the iteration's, or after an
    # event the move's (a restart's start state: NaN)
    monitor = Monitor(None, 1, gamma=lambda prior: np.nan if prior.gamma is None else
                      prior.gamma)
    expected = []
    for i in range(1, 8):
        point = _point(np.zeros(2), PriorState(1.0, None if i < 3 else 0.5 * i))
        move = Move(np.zeros(2), PriorState(1.0, None)) if i == 4 else None
        expected.append(np.nan if i < 3 or i == 4 else 0.5 * i)
        monitor(i, point, 1.0, move)
    np.testing.assert_array_equal(monitor.gamma_curve, expected)


def test_no_gamma_callable_records_nothing():
    monitor = Monitor(None, 1)
    _run(monitor, np.ones(5))
    assert monitor.gamma_curve == [] and monitor.mu_curve == [None] * 5


# ---- the validation split and the saturation warning ---------------------------------


def test_warn_if_saturated_asks_for_the_saturation_only_of_unscaled_inputs():
    import warnings

    from sklearn_lmwc._stopping import _UNSCALED, warn_if_saturated

    def never():
        raise AssertionError("a pass over the data for scaled inputs")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_saturated(_UNSCALED, never)  # at the bound: scaled
        warn_if_saturated(2 * _UNSCALED, lambda: 0.5)  # half saturated: no warning
    with pytest.warns(UserWarning, match="90% of the hidden activations"):
        warn_if_saturated(np.inf, lambda: 0.9)  # overflowing squares: unscaled


def test_split_validation_holds_out_the_fraction_and_scores_overflow_worst():
    from sklearn_lmwc._network import Network
    from sklearn_lmwc._stopping import split_validation

    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(40, 2)), rng.normal(size=(40, 1))
    network = Network(2, (2,), 1, "mlp")
    X_fit, Y_fit, sw, validation = split_validation(
        network, X, Y, None, 0.25, rng, lambda out, Y, sw: -float(np.mean((out - Y) ** 2)))
    assert X_fit.shape == (30, 2) and Y_fit.shape == (30, 1) and sw is None
    assert np.isfinite(validation(np.zeros(network.n_weights)))
    assert validation(np.full(network.n_weights, 1e308)) == -np.inf
    with pytest.raises(ValueError, match="validation set is too small"):
        split_validation(network, X[:4], Y[:4], None, 0.25, rng, None)
