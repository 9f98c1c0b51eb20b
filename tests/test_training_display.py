"""Tests of the training display (_training_display.py): its lines hold the fitted curves, the
event marks stand at the events' iterations, the trials are faint and the kept one
bold, panels appear only with their data, and a given ``ax`` is used.

Where each value of ``loss_curve_`` belongs is worked out here from the loop's
record (an iteration's value, then the value after its event if any), independently
of the display's own helper.
"""

import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from sklearn_lmwc import LMWCClassifier, LMWCRegressor, TrainingDisplay  # noqa: E402
from sklearn_lmwc.datasets import make_parity  # noqa: E402

from conftest import fit_quietly  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture(scope="module")
def compressed():
    """Parity-5, the paper's setting, three trials: compressions in the kept one."""
    X, y = make_parity(5)
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", goal=0.1,
                                      tol=None, beta=1e-3, max_iter=40, n_init=3,
                                      random_state=0), X, y)
    assert model.n_compressions_ > 0 and len(model.init_results_["loss"]) == 3
    return model


@pytest.fixture(scope="module")
def bayes_early():
    """A Bayesian fit with early stopping: validation and gamma panels."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (120, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1] + 0.05 * rng.normal(size=120)
    return fit_quietly(LMWCRegressor(hidden_layer_sizes=(4,), alpha="bayes",
                                     early_stopping=True, n_init=1, max_iter=25,
                                     random_state=0), X, y)


def _places(n_iter, events, n_values):
    """Each loss value's iteration, by walking the record: iteration k's value, then
    the value after an event at k."""
    at = {it for it, _ in events}
    places = []
    for k in range(1, n_iter + 1):
        places += [k, k] if k in at else [k]
    return places[:n_values]


# ---- the lines are the fitted curves ------------------------------------------------


def test_lines_hold_the_fitted_curves(compressed):
    model = compressed
    display = TrainingDisplay.from_estimator(model)
    assert display.panels_ == ("loss", "mu", "saturation")
    assert len(display.axes_) == 3 and display.bounding_ax_ is None
    loss = display.lines_["loss"]
    np.testing.assert_array_equal(loss.get_ydata(), model.loss_curve_)
    np.testing.assert_array_equal(loss.get_xdata(),
                                  _places(model.n_iter_, model.events_,
                                          len(model.loss_curve_)))
    for panel, curve in [("mu", model.mu_curve_), ("saturation", model.saturation_curve_)]:
        line = display.lines_[panel]
        np.testing.assert_array_equal(line.get_ydata(), curve)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(curve) + 1))
    # every panel on the figure, one iteration axis
    assert all(axis.figure is display.figure_ for axis in display.axes_)
    assert display.axes_[-1].get_xlabel() == "iteration"


def test_the_loss_jumps_on_each_event_line(compressed):
    # the value after an event is drawn at the event's iteration, beside that
    # iteration's own value: a vertical step on the mark
    model = compressed
    display = TrainingDisplay.from_estimator(model, panels=["loss"])
    x = np.asarray(display.lines_["loss"].get_xdata())
    counts = Counter(x.tolist())
    for it, _ in model.events_:
        assert counts[it] == 2 or it == model.n_iter_  # a final event has no value after
    assert sum(counts.values()) == len(model.loss_curve_)
    assert np.all(np.diff(x) >= 0)


def test_event_marks_at_the_events_iterations(compressed):
    model = compressed
    display = TrainingDisplay.from_estimator(model)
    iterations = [it for it, _ in model.events_]
    assert len(iterations) == model.n_compressions_ > 0
    for panel in display.panels_:
        marks = display.event_lines_[panel]
        assert [line.get_xdata()[0] for line in marks] == iterations
        assert all(line in display.axes_[display.panels_.index(panel)].lines
                   for line in marks)
    # one legend entry per kind of event
    labels = display.axes_[0].get_legend_handles_labels()[1]
    assert labels.count("compression") == 1


def test_restart_marks():
    X, y = make_parity(4)
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", goal=0.05,
                                      tol=None, beta=1e-2, compression="restart", max_iter=40,
                                      n_init=1, random_state=1), X, y)
    assert model.events_ and {kind for _, kind in model.events_} == {"restart"}
    display = TrainingDisplay.from_estimator(model, panels=["loss"])
    marks = display.event_lines_["loss"]
    assert [line.get_xdata()[0] for line in marks] == [it for it, _ in model.events_]
    assert "restart" in display.axes_[0].get_legend_handles_labels()[1]


# ---- trials -------------------------------------------------------------------------


def test_every_trial_faint_and_the_kept_one_bold(compressed):
    model = compressed
    display = TrainingDisplay.from_estimator(model, panels=["loss"])
    trials = model.init_results_
    assert len(display.trial_lines_) == len(trials["loss_curve"]) == 3
    for line, curve, n_iter, events in zip(display.trial_lines_, trials["loss_curve"],
                                           trials["n_iter"], trials["events"]):
        np.testing.assert_array_equal(line.get_ydata(), curve)
        np.testing.assert_array_equal(line.get_xdata(),
                                      _places(int(n_iter), events, len(curve)))
        assert line.get_linewidth() < display.lines_["loss"].get_linewidth()
        assert line.get_alpha() < 1
    # the kept one is one of the trials, drawn again on top
    assert any(np.array_equal(line.get_ydata(), model.loss_curve_)
               for line in display.trial_lines_)
    lines = display.axes_[0].lines
    assert lines.index(display.lines_["loss"]) > max(map(lines.index, display.trial_lines_))


def test_one_trial_draws_no_faint_lines(bayes_early):
    display = TrainingDisplay.from_estimator(bayes_early, panels=["loss"])
    assert display.trial_lines_ == []


# ---- panels with their data only -----------------------------------------------------


def test_validation_panel_only_with_early_stopping(compressed, bayes_early):
    assert "validation" not in TrainingDisplay.from_estimator(compressed).panels_
    with pytest.raises(ValueError, match="early_stopping"):
        TrainingDisplay.from_estimator(compressed, panels=["validation"])
    display = TrainingDisplay.from_estimator(bayes_early)
    assert "validation" in display.panels_
    scores = bayes_early.validation_scores_
    np.testing.assert_array_equal(display.lines_["validation"].get_ydata(), scores)
    best = display.lines_["best_validation"]
    assert best.get_ydata()[0] == bayes_early.best_validation_score_
    assert scores[best.get_xdata()[0] - 1] == bayes_early.best_validation_score_


def test_gamma_panel_only_with_bayes(compressed, bayes_early):
    assert "n_effective_params" not in TrainingDisplay.from_estimator(compressed).panels_
    display = TrainingDisplay.from_estimator(bayes_early)
    assert display.panels_ == ("loss", "validation", "mu", "n_effective_params",
                               "saturation")
    np.testing.assert_array_equal(display.lines_["n_effective_params"].get_ydata(),
                                  bayes_early.n_effective_params_curve_)


def test_no_damping_panel_with_scipy():
    X, y = make_parity(5)  # more residuals than weights: MINPACK
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", solver="scipy",
                                      alpha=0.0, tol=None, max_iter=5, n_init=1,
                                      random_state=0), X, y)
    assert "mu" not in TrainingDisplay.from_estimator(model).panels_


def test_panels_are_drawn_in_their_order_and_checked(bayes_early):
    display = TrainingDisplay.from_estimator(bayes_early, panels=["saturation", "loss"])
    assert display.panels_ == ("loss", "saturation")
    with pytest.raises(ValueError, match="Unknown panels"):
        TrainingDisplay.from_estimator(bayes_early, panels=["gamma"])


def test_a_classifier():
    X, y = make_parity(4)
    model = fit_quietly(LMWCClassifier(hidden_layer_sizes=(2,), n_init=1, max_iter=5,
                                       random_state=0), X, y > 0)
    display = TrainingDisplay.from_estimator(model)
    np.testing.assert_array_equal(display.lines_["loss"].get_ydata(), model.loss_curve_)
    assert display.lines_["loss"].get_label() == "LMWCClassifier"


# ---- where it draws -----------------------------------------------------------------


def test_a_given_ax_is_drawn_into_for_one_panel(compressed):
    _, ax = plt.subplots()
    display = TrainingDisplay.from_estimator(compressed, panels=["loss"], ax=ax,
                                             name="LM-WC")
    assert display.axes_[0] is ax and display.figure_ is ax.figure
    assert display.lines_["loss"] in ax.lines
    assert display.lines_["loss"].get_label() == "LM-WC"


def test_given_axes_one_per_panel(compressed):
    figure, axes = plt.subplots(1, 3)
    display = TrainingDisplay.from_estimator(compressed, ax=axes)
    assert list(display.axes_) == list(axes) and display.figure_ is figure
    for panel, axis in zip(display.panels_, axes):
        assert display.lines_[panel] in axis.lines
    with pytest.raises(ValueError, match="Expected ax to have 3 axes"):
        TrainingDisplay.from_estimator(compressed, ax=axes[:2])


def test_a_given_ax_is_split_among_the_panels(compressed):
    figure, (left, right) = plt.subplots(1, 2)
    display = TrainingDisplay.from_estimator(compressed, ax=right)
    assert display.bounding_ax_ is right and not right.axison
    assert display.figure_ is figure and len(display.axes_) == 3
    box = right.get_position()
    for axis in display.axes_:
        inner = axis.get_position()
        assert box.x0 - 1e-9 <= inner.x0 and inner.x1 <= box.x1 + 1e-9
    assert left.axison  # the other subplot untouched
    with pytest.raises(ValueError, match="already used"):
        TrainingDisplay.from_estimator(compressed, ax=right)


def test_plot_again_on_new_axes(compressed):
    display = TrainingDisplay.from_estimator(compressed, panels=["loss"])
    _, ax = plt.subplots()
    display.plot(ax=ax, panels=["mu"])
    assert display.axes_[0] is ax and display.panels_ == ("mu",)
    np.testing.assert_array_equal(display.lines_["mu"].get_ydata(), compressed.mu_curve_)


@pytest.mark.parametrize("Estimator", [LMWCRegressor, LMWCClassifier])
def test_an_unfitted_estimator(Estimator):
    with pytest.raises(NotFittedError):
        TrainingDisplay.from_estimator(Estimator())


def test_the_package_does_not_import_matplotlib():
    # the display imports it when drawing; training never needs it
    code = ("import sys, sklearn_lmwc; from sklearn_lmwc import TrainingDisplay; "
            "assert 'matplotlib' not in sys.modules, 'imported'; print(sklearn_lmwc.__file__)")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    assert Path(out.strip()).parent == root / "sklearn_lmwc"  # this tree's package


# ---- the returned model is marked ---------------------------------------------------


@pytest.fixture(scope="module")
def thrown_away():
    """Parity-5 where every compression after iteration 12 fails: the curve ends near
    1 while the returned weights are those of iteration 12, before the first one."""
    X, y = make_parity(5)
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", goal=0.1,
                                      tol=None, beta=1e-3, max_iter=60, random_state=1), X, y)
    assert model.loss_curve_[-1] > 1.2 * model.loss_  # the case of issue 30
    return model


def test_the_returned_model_is_marked_where_its_loss_was_reached(thrown_away):
    model = thrown_away
    display = TrainingDisplay.from_estimator(model)
    places = _places(model.n_iter_, model.events_, len(model.loss_curve_))
    first = next(i for i, value in enumerate(model.loss_curve_) if value == model.loss_)
    assert display.returned_point_ == (places[first], model.loss_)
    assert places[first] < model.n_iter_  # not the last iterate
    marker = display.lines_["returned"]
    assert marker.axes is display.axes_[0]
    np.testing.assert_array_equal(marker.get_xdata(), [places[first]])
    np.testing.assert_array_equal(marker.get_ydata(), [model.loss_])
    texts = [t.get_text() for t in display.axes_[0].get_legend().get_texts()]
    assert "returned model" in texts


def test_with_early_stopping_the_returned_model_is_the_best_validation_score(bayes_early):
    display = TrainingDisplay.from_estimator(bayes_early)
    best = int(np.argmax(bayes_early.validation_scores_)) + 1
    assert display.returned_point_ == (best, bayes_early.loss_)
    assert display.lines_["best_validation"].get_xdata()[0] == best


def test_a_loss_the_curve_does_not_hold_is_a_horizontal_line():
    display = TrainingDisplay(loss_curve=[3.0, 2.0, 1.0], n_iter=3, loss=0.5).plot()
    assert display.returned_point_ is None
    np.testing.assert_array_equal(display.lines_["returned"].get_ydata(), [0.5, 0.5])
    display = TrainingDisplay(loss_curve=[3.0, 2.0, 1.0], n_iter=3).plot()
    assert "returned" not in display.lines_ and display.returned_point_ is None


def test_no_returned_marker_without_the_loss_panel(thrown_away):
    display = TrainingDisplay.from_estimator(thrown_away, panels=["mu"])
    assert "returned" not in display.lines_ and display.returned_point_ is None


# ---- pipelines and other meta-estimators ---------------------------------------------


def test_a_fitted_pipeline_draws_its_last_step():
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_parity(4)
    pipe = fit_quietly(make_pipeline(StandardScaler(), LMWCRegressor(
        hidden_layer_sizes=(2,), n_init=1, max_iter=8, random_state=0)), X, y)
    display = TrainingDisplay.from_estimator(pipe)
    model = pipe[-1]
    np.testing.assert_array_equal(display.lines_["loss"].get_ydata(), model.loss_curve_)
    assert display.lines_["loss"].get_label() == "LMWCRegressor"
    assert display.returned_point_[1] == model.loss_
    # nested: a TransformedTargetRegressor in a pipeline
    nested = fit_quietly(make_pipeline(StandardScaler(), TransformedTargetRegressor(
        regressor=LMWCRegressor(hidden_layer_sizes=(2,), n_init=1, max_iter=8,
                                random_state=0), transformer=StandardScaler())), X, y)
    display = TrainingDisplay.from_estimator(nested, name="ttr")
    np.testing.assert_array_equal(display.lines_["loss"].get_ydata(),
                                  nested[-1].regressor_.loss_curve_)
    assert display.lines_["loss"].get_label() == "ttr"


def test_a_fitted_search_draws_its_best_estimator():
    from sklearn.model_selection import GridSearchCV

    X, y = make_parity(4)
    search = fit_quietly(GridSearchCV(LMWCClassifier(hidden_layer_sizes=(2,), n_init=1,
                                                     max_iter=5, random_state=0),
                                      {"max_iter": [3, 5]}, cv=2), X, y)
    display = TrainingDisplay.from_estimator(search)
    np.testing.assert_array_equal(display.lines_["loss"].get_ydata(),
                                  search.best_estimator_.loss_curve_)


def test_an_unfitted_pipeline_or_another_model_is_refused():
    from sklearn.linear_model import Ridge
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    with pytest.raises(NotFittedError, match="LMWCRegressor"):
        TrainingDisplay.from_estimator(make_pipeline(StandardScaler(), LMWCRegressor()))
    X, y = make_parity(3)
    with pytest.raises(TypeError, match="got a Pipeline holding a Ridge. Pass the fitted "
                                        "LMWC estimator itself"):
        TrainingDisplay.from_estimator(make_pipeline(Ridge()).fit(X, y))
    mlp = fit_quietly(MLPRegressor(max_iter=5), X, y)  # has a loss_curve_, not the rest
    with pytest.raises(TypeError, match="got a MLPRegressor"):
        TrainingDisplay.from_estimator(mlp)


# ---- style keywords -------------------------------------------------------------------


def test_style_keywords_reach_the_artists(compressed):
    from matplotlib.colors import to_rgba

    display = TrainingDisplay.from_estimator(
        compressed, line_kw={"color": "black", "lw": 3},
        trial_line_kw={"color": "pink", "alpha": 0.2},
        event_line_kw={"color": "green", "ls": "-"},
        marker_kw={"marker": "D", "color": "navy"})
    for panel in display.panels_:
        assert display.lines_[panel].get_color() == "black"
        assert display.lines_[panel].get_linewidth() == 3
        for line in display.event_lines_[panel]:
            assert line.get_color() == "green" and line.get_linestyle() == "-"
    assert all(line.get_color() == "pink" and line.get_alpha() == 0.2
               for line in display.trial_lines_)
    returned = display.lines_["returned"]
    assert returned.get_marker() == "D" and to_rgba(returned.get_color()) == to_rgba("navy")
    # the defaults stay where no keyword overrides them
    assert display.lines_["returned"].get_label() == "returned model"
    assert display.trial_lines_[0].get_linewidth() == 0.8


def test_the_marker_keywords_reach_the_best_validation_score(bayes_early):
    display = TrainingDisplay.from_estimator(bayes_early, marker_kw={"marker": "s"},
                                             line_kw={"color": "red"})
    assert display.lines_["best_validation"].get_marker() == "s"
    assert display.lines_["validation"].get_color() == "red"
    # plot again with other keywords: new artists, the display's data unchanged
    again = display.plot(line_kw={"color": "blue"})
    assert again.lines_["validation"].get_color() == "blue"
