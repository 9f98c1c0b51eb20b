"""Tests of the prediction interval display (_interval_display.py): the drawn points,
bars and band are predict(X, return_std=True) computed here, the interval mean +- z std
with z the normal quantile written out, and the coverage counted here."""

from io import BytesIO

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import BayesianRidge, Ridge  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_lmwc import LMWCRegressor, PredictionIntervalDisplay  # noqa: E402

from conftest import fit_quietly  # noqa: E402

pytestmark = pytest.mark.usefixtures("close_figures")


# the standard normal's 0.975 and 0.75 quantiles: 95% and 50% central intervals
Z = {0.95: 1.959963984540054, 0.5: 0.6744897501960817}


def _curve(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 1))
    return X, np.sin(2 * X[:, 0]) + 0.2 * rng.normal(size=n)


@pytest.fixture(scope="module")
def interval_fit():
    """A small Bayesian fit of a noisy curve and held-out rows."""
    X, y = _curve(80, 0)
    X_test, y_test = _curve(40, 1)
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(4,), alpha="bayes", n_init=1,
                                      max_iter=20, random_state=0), X, y)
    return model, X_test, y_test


def _bars(display):
    """The drawn points (x, y) and each error bar's two ends."""
    data_line, _, (bars,) = display.errorbar_.lines
    ends = np.array(bars.get_segments())
    return data_line.get_xdata(), data_line.get_ydata(), ends


def _check_bars(display, mean, std, y, z):
    x_drawn, y_drawn, ends = _bars(display)
    np.testing.assert_allclose(x_drawn, mean)
    np.testing.assert_allclose(y_drawn, y)
    np.testing.assert_allclose(ends[:, 0, 0], mean - z * std)  # horizontal bars
    np.testing.assert_allclose(ends[:, 1, 0], mean + z * std)
    np.testing.assert_allclose(ends[:, :, 1], np.c_[y, y])


@pytest.mark.parametrize("confidence", [0.95, 0.5])
def test_error_bars_are_the_intervals(interval_fit, confidence):
    model, X, y = interval_fit
    mean, std = model.predict(X, return_std=True)
    display = PredictionIntervalDisplay.from_estimator(model, X, y,
                                                       confidence=confidence)
    assert display.z_ == pytest.approx(Z[confidence])
    _check_bars(display, mean, std, y, Z[confidence])
    # the diagonal spans every point and bar
    low, high = display.line_.get_xdata()
    assert low == min(y.min(), (mean - Z[confidence] * std).min())
    assert high == max(y.max(), (mean + Z[confidence] * std).max())
    np.testing.assert_array_equal(display.line_.get_ydata(), [low, high])
    assert display.band_ is None and display.scatter_ is None


@pytest.mark.parametrize("confidence", [0.95, 0.5])
def test_the_coverage_in_the_legend(interval_fit, confidence):
    model, X, y = interval_fit
    mean, std = model.predict(X, return_std=True)
    z = Z[confidence]
    inside = np.mean((mean - z * std <= y) & (y <= mean + z * std))
    assert 0 < inside < 1 or confidence == 0.95  # a 50% interval misses some
    display = PredictionIntervalDisplay.from_estimator(model, X, y,
                                                       confidence=confidence)
    assert display.coverage_ == pytest.approx(inside)
    texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert (f"LMWCRegressor, {100 * confidence:g}% interval "
            f"(coverage {100 * inside:.1f}%)") in texts


def test_the_feature_band(interval_fit):
    model, X, y = interval_fit
    mean, std = model.predict(X, return_std=True)
    display = PredictionIntervalDisplay.from_estimator(model, X, y, kind="feature")
    order = np.argsort(X[:, 0])
    x = X[order, 0]
    np.testing.assert_allclose(display.line_.get_xdata(), x)
    np.testing.assert_allclose(display.line_.get_ydata(), mean[order])
    # fill_between's polygon runs along both edges: its corners are the edges' points
    corners = np.unique(display.band_.get_paths()[0].vertices, axis=0)
    half = Z[0.95] * std
    edges = np.r_[np.c_[X[:, 0], mean - half], np.c_[X[:, 0], mean + half]]
    np.testing.assert_allclose(corners, np.unique(edges, axis=0))
    np.testing.assert_allclose(display.scatter_.get_offsets(), np.c_[X[:, 0], y])
    assert display.errorbar_ is None
    assert display.ax_.get_xlabel() == "x0"
    assert any("coverage" in t.get_text() for t in display.ax_.get_legend().get_texts())


def test_the_feature_without_actual_values(interval_fit):
    model, X, _ = interval_fit
    display = PredictionIntervalDisplay.from_estimator(model, X, kind="feature")
    assert display.scatter_ is None and display.coverage_ is None
    assert not any("coverage" in t.get_text()
                   for t in display.ax_.get_legend().get_texts())
    with pytest.raises(ValueError, match="needs the actual values"):
        PredictionIntervalDisplay.from_estimator(model, X)


def test_a_pipeline_and_a_feature_by_name(interval_fit):
    _, X, y = interval_fit
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"noise": rng.normal(size=len(y)), "t": X[:, 0]})
    pipe = make_pipeline(StandardScaler(), LMWCRegressor(
        hidden_layer_sizes=(3,), alpha="bayes", n_init=1, max_iter=10, random_state=0))
    pipe = fit_quietly(pipe, frame, y)
    mean, std = pipe[-1].predict(pipe[0].transform(frame), return_std=True)
    display = PredictionIntervalDisplay.from_estimator(pipe, frame, y)
    _check_bars(display, mean, std, y, Z[0.95])
    # "noise" varies too: points with error bars, not a line
    display = PredictionIntervalDisplay.from_estimator(pipe, frame, y, kind="feature",
                                                       feature="t")
    assert display.other_features_vary and display.line_ is None
    np.testing.assert_allclose(_bars(display)[0], frame["t"])
    assert display.ax_.get_xlabel() == "t"
    # a slice along "t" (noise held): the line and the band
    held = frame.assign(noise=0.5)
    display = PredictionIntervalDisplay.from_estimator(pipe, held, y, kind="feature",
                                                       feature="t")
    assert not display.other_features_vary and display.errorbar_ is None
    np.testing.assert_allclose(display.line_.get_xdata(), np.sort(frame["t"]))
    with pytest.raises(ValueError, match="feature_names_in_"):
        PredictionIntervalDisplay.from_estimator(pipe, frame, y, kind="feature",
                                                 feature="s")
    with pytest.raises(ValueError, match="column index"):
        PredictionIntervalDisplay.from_estimator(pipe, frame, y, kind="feature",
                                                 feature=2)


def test_scikit_learns_bayesian_ridge():
    X, y = _curve(30, 3)
    ridge = BayesianRidge().fit(X, y)
    mean, std = ridge.predict(X, return_std=True)
    display = PredictionIntervalDisplay.from_estimator(ridge, X, y)
    _check_bars(display, mean, std, y, Z[0.95])
    assert display.errorbar_.get_label().startswith("BayesianRidge")


def test_from_predictions():
    y_true, y_pred = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.5, 1.0, 1.0, 3.0])
    y_std = np.array([0.1, 0.1, 0.1, 1.0])
    display = PredictionIntervalDisplay.from_predictions(y_true, y_pred, y_std)
    assert display.coverage_ == 0.5  # 1 and 3 inside; 0 and 2 outside
    _check_bars(display, y_pred, y_std, y_true, Z[0.95])
    display = PredictionIntervalDisplay.from_predictions(
        y_true, y_pred, y_std, x=[3, 2, 1, 0], kind="feature", feature_name="time")
    np.testing.assert_array_equal(display.line_.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(display.line_.get_ydata(), y_pred[::-1])
    assert display.ax_.get_xlabel() == "time"
    with pytest.raises(ValueError, match="needs the values of the feature"):
        PredictionIntervalDisplay.from_predictions(y_true, y_pred, y_std,
                                                   kind="feature")
    with pytest.raises(ValueError, match="different lengths"):
        PredictionIntervalDisplay.from_predictions(y_true[:3], y_pred, y_std)


# ---- subsampling ----------------------------------------------------------------


@pytest.mark.parametrize("subsample", [10, 0.25])
def test_subsampling_draws_some_points_and_counts_all(interval_fit, subsample):
    model, X, y = interval_fit
    mean, std = model.predict(X, return_std=True)
    full = PredictionIntervalDisplay.from_estimator(model, X, y, subsample=None)
    display = PredictionIntervalDisplay.from_estimator(model, X, y, subsample=subsample,
                                                       random_state=0)
    x_drawn, y_drawn, ends = _bars(display)
    assert len(x_drawn) == len(ends) == 10  # 0.25 of 40
    # distinct points of the data, each with its own bar
    rows = [int(np.flatnonzero(y == value)[0]) for value in y_drawn]
    assert len(set(rows)) == 10
    np.testing.assert_allclose(x_drawn, mean[rows])
    np.testing.assert_allclose(ends[:, 1, 0] - ends[:, 0, 0], 2 * Z[0.95] * std[rows])
    assert display.coverage_ == full.coverage_  # over every point
    again = PredictionIntervalDisplay.from_estimator(model, X, y, subsample=subsample,
                                                     random_state=0)
    np.testing.assert_array_equal(_bars(again)[1], y_drawn)
    # the feature kind: the points subsampled, the line and band whole
    display = PredictionIntervalDisplay.from_estimator(model, X, y, kind="feature",
                                                       subsample=subsample)
    assert len(display.scatter_.get_offsets()) == 10
    assert len(display.line_.get_xdata()) == 40


@pytest.mark.parametrize("subsample", [0, -3, 0.0, 1.5])
def test_a_bad_subsample(interval_fit, subsample):
    model, X, y = interval_fit
    with pytest.raises(ValueError, match="subsample"):
        PredictionIntervalDisplay.from_estimator(model, X, y, subsample=subsample)


# ---- where it draws, and what it refuses -------------------------------------------


@pytest.mark.parametrize("kind", ["actual_vs_predicted", "feature"])
def test_a_given_ax_is_drawn_into_on_agg(interval_fit, kind):
    assert matplotlib.get_backend().lower() == "agg"
    model, X, y = interval_fit
    figure, (left, right) = plt.subplots(1, 2)
    display = PredictionIntervalDisplay.from_estimator(model, X, y, kind=kind, ax=right)
    assert display.ax_ is right and display.figure_ is figure
    assert display.line_ in right.lines and not left.lines
    if kind == "feature":
        assert display.band_ in right.collections
        assert display.scatter_ in right.collections
    else:
        assert display.errorbar_ in right.containers
    figure.savefig(BytesIO(), format="png")  # renders with the Agg canvas


def test_plot_again(interval_fit):
    model, X, y = interval_fit
    display = PredictionIntervalDisplay.from_estimator(model, X, y)
    _, ax = plt.subplots()
    display.confidence = 0.5
    assert display.plot(ax) is display and display.ax_ is ax
    assert display.z_ == pytest.approx(Z[0.5])


def test_multi_output_is_refused():
    X, y = _curve(30, 4)
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(3,), alpha="bayes", n_init=1,
                                      max_iter=5, random_state=0), X, np.c_[y, -y])
    with pytest.raises(ValueError, match="n_outputs_=2"):
        PredictionIntervalDisplay.from_estimator(model, X, np.c_[y, -y])


@pytest.mark.parametrize("make", [LMWCRegressor, lambda: make_pipeline(
    StandardScaler(), LMWCRegressor())])
def test_an_unfitted_regressor(make):
    X, y = _curve(10, 5)
    with pytest.raises(NotFittedError):
        PredictionIntervalDisplay.from_estimator(make(), X, y)


@pytest.mark.parametrize("estimator", [Ridge(), make_pipeline(Ridge())])
def test_no_return_std_is_refused(estimator):
    X, y = _curve(10, 6)
    with pytest.raises(ValueError, match="Ridge.predict has no return_std"):
        PredictionIntervalDisplay.from_estimator(estimator.fit(X, y), X, y)


def test_a_bad_kind_or_confidence(interval_fit):
    model, X, y = interval_fit
    with pytest.raises(ValueError, match="kind must be one of"):
        PredictionIntervalDisplay.from_estimator(model, X, y, kind="residuals")
    for confidence in (0, 1, 95):
        with pytest.raises(ValueError, match="confidence"):
            PredictionIntervalDisplay.from_estimator(model, X, y, confidence=confidence)


# ---- kind="feature" when the other inputs vary ---------------------------------------


@pytest.fixture(scope="module")
def wide_fit():
    """Three inputs, the target depending on all of them."""
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (90, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=90)
    model = fit_quietly(LMWCRegressor(hidden_layer_sizes=(4,), alpha="bayes", n_init=1,
                                      max_iter=15, random_state=0), X[:60], y[:60])
    return model, X[60:], y[60:]


def test_the_feature_with_varying_other_inputs_is_points_with_error_bars(wide_fit):
    model, X, y = wide_fit
    mean, std = model.predict(X, return_std=True)
    display = PredictionIntervalDisplay.from_estimator(model, X, y, kind="feature",
                                                       feature=1)
    assert display.other_features_vary
    assert display.line_ is None and display.band_ is None
    x_drawn, y_drawn, ends = _bars(display)
    np.testing.assert_allclose(x_drawn, X[:, 1])
    np.testing.assert_allclose(y_drawn, mean)
    half = Z[0.95] * std
    np.testing.assert_allclose(ends[:, :, 0], np.c_[X[:, 1], X[:, 1]])  # vertical bars
    np.testing.assert_allclose(ends[:, 0, 1], mean - half)
    np.testing.assert_allclose(ends[:, 1, 1], mean + half)
    np.testing.assert_allclose(display.scatter_.get_offsets(), np.c_[X[:, 1], y])
    assert display.coverage_ == pytest.approx(np.mean(np.abs(y - mean) <= half))
    assert display.ax_.get_xlabel() == "x1"


def test_a_slice_along_the_feature_is_a_line_and_a_band(wide_fit):
    model, X, y = wide_fit
    sliced = X.copy()
    sliced[:, [0, 2]] = 0.3  # the other inputs held
    mean, _ = model.predict(sliced, return_std=True)
    display = PredictionIntervalDisplay.from_estimator(model, sliced, kind="feature",
                                                       feature=1)
    assert not display.other_features_vary and display.errorbar_ is None
    order = np.argsort(sliced[:, 1])
    np.testing.assert_allclose(display.line_.get_ydata(), mean[order])
    # the same rows as a list of lists
    again = PredictionIntervalDisplay.from_estimator(model, sliced.tolist(),
                                                     kind="feature", feature=1)
    assert not again.other_features_vary
    np.testing.assert_allclose(again.line_.get_ydata(), mean[order])


def test_other_features_vary_by_input_type():
    from scipy.sparse import csr_matrix

    from sklearn_lmwc._interval_display import _other_features_vary

    held = np.array([[1.0, 0.0, np.nan], [2.0, 0.0, np.nan], [3.0, 0.0, np.nan]])
    varied = held.copy()
    varied[2, 1] = 5.0
    assert not _other_features_vary(held, 0) and _other_features_vary(varied, 0)
    assert _other_features_vary(held, 1) and _other_features_vary(held, 2)  # x0 varies
    assert not _other_features_vary(csr_matrix(np.nan_to_num(held)), 0)
    assert _other_features_vary(csr_matrix(np.nan_to_num(varied)), 0)
    assert not _other_features_vary(held[:, :1], 0)  # one input
    frame = pd.DataFrame({"t": [1.0, 2.0, 3.0], "city": ["a", "a", "a"],
                          "m": [np.nan] * 3})
    assert not _other_features_vary(frame, 0)
    assert _other_features_vary(frame.assign(city=["a", "b", "a"]), 0)


def test_from_predictions_with_other_features_varying():
    y_true, y_pred = np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 1.5])
    y_std, x = np.array([0.1, 0.2, 0.3]), np.array([2.0, 0.0, 1.0])
    display = PredictionIntervalDisplay.from_predictions(
        y_true, y_pred, y_std, x=x, kind="feature", other_features_vary=True)
    x_drawn, y_drawn, ends = _bars(display)
    np.testing.assert_array_equal(x_drawn, x)  # in the rows' order, not sorted
    np.testing.assert_allclose(ends[:, 1, 1] - ends[:, 0, 1], 2 * Z[0.95] * y_std)
    assert display.line_ is None


# ---- style keywords -------------------------------------------------------------------


def test_style_keywords_reach_the_artists(interval_fit, wide_fit):
    from matplotlib.colors import to_rgba

    model, X, y = interval_fit
    display = PredictionIntervalDisplay.from_estimator(
        model, X, y, errorbar_kw={"color": "red", "fmt": "s"},
        line_kw={"color": "green", "ls": ":"})
    data_line, _, (bars,) = display.errorbar_.lines
    assert data_line.get_color() == "red" and data_line.get_marker() == "s"
    assert display.line_.get_color() == "green" and display.line_.get_linestyle() == ":"
    display = PredictionIntervalDisplay.from_estimator(
        model, X, y, kind="feature", line_kw={"color": "purple", "lw": 4},
        fill_between_kw={"color": "orange", "alpha": 0.5},
        scatter_kw={"color": "gray", "marker": "x"})
    assert display.line_.get_color() == "purple" and display.line_.get_linewidth() == 4
    np.testing.assert_allclose(display.band_.get_facecolor()[0], to_rgba("orange", 0.5))
    np.testing.assert_allclose(display.scatter_.get_facecolor()[0], to_rgba("gray", 0.7))
    # the defaults stay where no keyword overrides them
    assert display.line_.get_label() == "LMWCRegressor"
    model, X, y = wide_fit
    display = PredictionIntervalDisplay.from_estimator(
        model, X, y, kind="feature", errorbar_kw={"color": "teal"})
    assert display.errorbar_.lines[0].get_color() == "teal"
    # and through plot
    display.plot(kind="actual_vs_predicted", line_kw={"color": "k"})
    assert display.line_.get_color() == "k"
