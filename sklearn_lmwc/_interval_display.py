"""The prediction interval display, written as scikit-learn's displays (matplotlib is
imported when drawing): predictions with their error bars."""

import numbers
from inspect import signature

import numpy as np
from scipy.sparse import issparse
from scipy.stats import norm
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import _num_features

INTERVAL_KINDS = ("actual_vs_predicted", "feature")


class PredictionIntervalDisplay:
    """Prediction interval display: predictions with their central intervals.

    The interval of a prediction is ``y_pred ± z * y_std``, z the standard normal
    quantile of ``(1 + confidence) / 2`` (1.96 for 95%): the predictive distribution
    taken as Gaussian, as ``LMWCRegressor.predict(X, return_std=True)`` gives it
    (and scikit-learn's ``GaussianProcessRegressor`` and ``BayesianRidge``). Two
    kinds:

    - ``"actual_vs_predicted"``: the actual values (y-axis) against the predicted
      ones (x-axis), each with its interval as a horizontal error bar, and the
      diagonal: a point's interval covers its actual value when its bar crosses the
      diagonal. The legend gives the empirical coverage, the fraction of the actual
      values inside their intervals.
    - ``"feature"``: against one feature, the predictions and their intervals, and
      the actual values (when given) as points. When the rows vary along that
      feature alone (one-dimensional inputs, or a slice of the input space), the
      predictions sorted by it are a line and their intervals a band; when the other
      inputs vary too (``other_features_vary``), a line through the predictions would
      zigzag with them, so each prediction is a point with its interval as a
      vertical error bar.

    Create it with :meth:`from_estimator` or :meth:`from_predictions`; the parameters
    are stored as attributes of the same name.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples,)
        The predicted values (the predictive means).

    y_std : array-like of shape (n_samples,)
        Their predictive standard deviations.

    y_true : array-like of shape (n_samples,) or None, default=None
        The actual values; needed for ``kind="actual_vs_predicted"``.

    x : array-like of shape (n_samples,) or None, default=None
        The values of the feature; needed for ``kind="feature"``.

    confidence : float, default=0.95
        The probability of the central interval, in (0, 1).

    feature_name : str or None, default=None
        The x-axis label of ``kind="feature"``.

    other_features_vary : bool, default=False
        For ``kind="feature"``: whether the rows differ in other inputs than the
        feature drawn, which makes the predictions points with error bars rather
        than a line and a band. :meth:`from_estimator` finds it from X.

    estimator_name : str or None, default=None
        Named in the legend.

    Attributes
    ----------
    z_ : float
        The interval's half-width in standard deviations.

    coverage_ : float or None
        The fraction of all the actual values (not only those drawn) inside their
        intervals; None without ``y_true``.

    errorbar_ : matplotlib ErrorbarContainer or None
        The points and their error bars (``kind="actual_vs_predicted"``, and
        ``kind="feature"`` with ``other_features_vary``).

    line_ : matplotlib Line2D or None
        The diagonal (``kind="actual_vs_predicted"``) or the predictions sorted by
        the feature (``kind="feature"`` without ``other_features_vary``).

    band_ : matplotlib PolyCollection or None
        The intervals (``kind="feature"`` without ``other_features_vary``).

    scatter_ : matplotlib PathCollection or None
        The actual values (``kind="feature"`` with ``y_true``).

    ax_ : matplotlib Axes
        The Axes drawn into.

    figure_ : matplotlib Figure
        The figure holding it.

    See Also
    --------
    sklearn_lmwc.LMWCRegressor.predict : the predictive mean and standard deviation.
    sklearn.metrics.PredictionErrorDisplay : the prediction error, without
        intervals.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_lmwc import LMWCRegressor, PredictionIntervalDisplay
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-2, 2, (200, 1))
    >>> y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=200)
    >>> reg = LMWCRegressor(hidden_layer_sizes=(5,), alpha="bayes",
    ...                     random_state=0).fit(X[:150], y[:150])
    >>> display = PredictionIntervalDisplay.from_estimator(reg, X[150:], y[150:])
    >>> 0.8 < display.coverage_ <= 1
    True
    >>> display = PredictionIntervalDisplay.from_estimator(reg, X[150:], y[150:],
    ...                                                    kind="feature")
    >>> display.band_ is not None  # one input: a line and a band
    True
    """

    def __init__(self, *, y_pred, y_std, y_true=None, x=None, confidence=0.95,
                 feature_name=None, other_features_vary=False, estimator_name=None):
        self.y_pred, self.y_std, self.y_true, self.x = y_pred, y_std, y_true, x
        self.confidence = confidence
        self.feature_name = feature_name
        self.other_features_vary = other_features_vary
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, kind="actual_vs_predicted",
                       feature=0, confidence=0.95, subsample=1_000, random_state=None,
                       ax=None, name=None, line_kw=None, errorbar_kw=None,
                       fill_between_kw=None, scatter_kw=None):
        """Draw the prediction intervals of a fitted single-output regressor.

        Parameters
        ----------
        estimator : fitted regressor
            One whose ``predict(X, return_std=True)`` returns the predictive mean and
            standard deviation: LMWCRegressor (or the Dask one),
            ``GaussianProcessRegressor``, ``BayesianRidge``, or a Pipeline ending in
            one (its ``predict`` passes ``return_std`` to the last step).

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The inputs, preferably held out.

        y : array-like of shape (n_samples,) or None, default=None
            The actual values; needed for ``kind="actual_vs_predicted"``.

        kind : {"actual_vs_predicted", "feature"}, default="actual_vs_predicted"
            What to draw (see :class:`PredictionIntervalDisplay`).

        feature : int or str, default=0
            For ``kind="feature"``: the column of X, by index or by name (one of the
            estimator's ``feature_names_in_``). When the other columns of X are not
            constant, the predictions are drawn as points with error bars (see
            ``other_features_vary``); for a line and a band, pass rows that differ in
            this feature alone.

        confidence : float, default=0.95
            The probability of the central interval, in (0, 1).

        subsample : float, int or None, default=1_000
            The points drawn: an int, at most that many; a float in (0, 1), that
            fraction; None, all. The coverage and the line and band of
            ``kind="feature"`` use every point.

        random_state : int, RandomState instance or None, default=None
            Which points ``subsample`` draws.

        ax : matplotlib Axes or None, default=None
            Drawn into; a new figure when None.

        name : str or None, default=None
            Named in the legend; the estimator's class name when None.

        line_kw : dict or None, default=None
            Keywords of ``matplotlib.axes.Axes.plot`` for the diagonal
            (``kind="actual_vs_predicted"``) or the predictions' line
            (``kind="feature"``), over the defaults.

        errorbar_kw : dict or None, default=None
            Keywords of ``Axes.errorbar`` for the points with error bars, over the
            defaults (``color="tab:blue"``).

        fill_between_kw : dict or None, default=None
            Keywords of ``Axes.fill_between`` for the band of intervals
            (``kind="feature"``), over the defaults.

        scatter_kw : dict or None, default=None
            Keywords of ``Axes.scatter`` for the actual values (``kind="feature"``),
            over the defaults (``color="black"``).

        Returns
        -------
        display : PredictionIntervalDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
        if "return_std" not in signature(final.predict).parameters:
            raise ValueError(
                f"{type(final).__name__}.predict has no return_std: "
                f"{cls.__name__} needs a regressor whose predict(X, return_std=True) "
                "returns the predictive mean and standard deviation (LMWCRegressor, "
                "GaussianProcessRegressor, BayesianRidge or a Pipeline ending in one).")
        y_pred, y_std = estimator.predict(X, return_std=True)
        x = feature_name = None
        vary = False
        if kind == "feature":
            index, feature_name = _feature(feature, estimator, _num_features(X))
            # _safe_indexing takes no column of a list
            X = np.asarray(X, dtype=object) if isinstance(X, list) else X
            x = _safe_indexing(X, index, axis=1)
            x = x.toarray() if issparse(x) else x
            vary = _other_features_vary(X, index)
        display = cls(y_pred=y_pred, y_std=y_std, y_true=y, x=x, confidence=confidence,
                      feature_name=feature_name, other_features_vary=vary,
                      estimator_name=_estimator_name(estimator, name))
        return display.plot(ax, kind=kind, subsample=subsample,
                            random_state=random_state, line_kw=line_kw,
                            errorbar_kw=errorbar_kw, fill_between_kw=fill_between_kw,
                            scatter_kw=scatter_kw)

    @classmethod
    def from_predictions(cls, y_true, y_pred, y_std, *, x=None,
                         kind="actual_vs_predicted", confidence=0.95, subsample=1_000,
                         random_state=None, ax=None, feature_name=None,
                         other_features_vary=False, name=None, line_kw=None,
                         errorbar_kw=None, fill_between_kw=None, scatter_kw=None):
        """Draw given predictions with their intervals.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,) or None
            The actual values; needed for ``kind="actual_vs_predicted"``.

        y_pred : array-like of shape (n_samples,)
            The predicted values.

        y_std : array-like of shape (n_samples,)
            Their predictive standard deviations.

        x : array-like of shape (n_samples,) or None, default=None
            The values of the feature; needed for ``kind="feature"``.

        kind : {"actual_vs_predicted", "feature"}, default="actual_vs_predicted"
            As for :meth:`from_estimator`.

        confidence : float, default=0.95
            As for :meth:`from_estimator`.

        subsample : float, int or None, default=1_000
            As for :meth:`from_estimator`.

        random_state : int, RandomState instance or None, default=None
            As for :meth:`from_estimator`.

        ax : matplotlib Axes or None, default=None
            As for :meth:`from_estimator`.

        feature_name : str or None, default=None
            The x-axis label of ``kind="feature"``.

        other_features_vary : bool, default=False
            For ``kind="feature"``: the rows differ in other inputs than ``x`` too;
            the predictions are then points with error bars, not a line and a band.

        name : str or None, default=None
            Named in the legend.

        line_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        errorbar_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        fill_between_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        scatter_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        Returns
        -------
        display : PredictionIntervalDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_predictions")
        display = cls(y_pred=y_pred, y_std=y_std, y_true=y_true, x=x,
                      confidence=confidence, feature_name=feature_name,
                      other_features_vary=other_features_vary, estimator_name=name)
        return display.plot(ax, kind=kind, subsample=subsample,
                            random_state=random_state, line_kw=line_kw,
                            errorbar_kw=errorbar_kw, fill_between_kw=fill_between_kw,
                            scatter_kw=scatter_kw)

    def plot(self, ax=None, *, kind="actual_vs_predicted", subsample=1_000,
             random_state=None, name=None, line_kw=None, errorbar_kw=None,
             fill_between_kw=None, scatter_kw=None):
        """Draw the predictions and their intervals.

        Parameters
        ----------
        ax : matplotlib Axes or None, default=None
            Drawn into; a new figure when None.

        kind : {"actual_vs_predicted", "feature"}, default="actual_vs_predicted"
            As for :meth:`from_estimator`.

        subsample : float, int or None, default=1_000
            As for :meth:`from_estimator`.

        random_state : int, RandomState instance or None, default=None
            As for :meth:`from_estimator`.

        name : str or None, default=None
            Named in the legend; ``estimator_name`` when None.

        line_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        errorbar_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        fill_between_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        scatter_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        Returns
        -------
        display : PredictionIntervalDisplay
            Itself, with ``ax_``, ``figure_`` and the artists.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        if kind not in INTERVAL_KINDS:
            raise ValueError(f"kind must be one of {INTERVAL_KINDS}, got {kind!r}.")
        y_pred, y_std, y_true, x = self._arrays(kind)
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be in (0, 1), got {self.confidence!r}.")
        self.z_ = float(norm.ppf((1 + self.confidence) / 2))
        half = self.z_ * y_std
        self.coverage_ = (None if y_true is None
                          else float(np.mean(np.abs(y_true - y_pred) <= half)))
        drawn = _subsample(y_pred.size, subsample, random_state)
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        self.ax_, self.figure_ = ax, ax.figure
        name = self.estimator_name if name is None else name
        interval = f"{100 * self.confidence:g}% interval"
        coverage = ("" if self.coverage_ is None
                    else f" (coverage {100 * self.coverage_:.1f}%)")
        # None for the artists the kind does not draw (also after a replot)
        self.errorbar_ = self.band_ = self.scatter_ = None
        line_kw, errorbar_kw = _kw(line_kw), _kw(errorbar_kw)
        fill_between_kw, scatter_kw = _kw(fill_between_kw), _kw(scatter_kw)
        self.line_ = None
        if kind == "actual_vs_predicted":
            self.errorbar_ = ax.errorbar(
                y_pred[drawn], y_true[drawn], xerr=half[drawn], **{
                    "fmt": "o", "ms": 3, "color": "tab:blue", "elinewidth": 1,
                    "alpha": 0.7,
                    "label": f"{name}, {interval}{coverage}" if name
                    else interval + coverage, **errorbar_kw})
            ends = np.concatenate([y_true[drawn], (y_pred - half)[drawn],
                                   (y_pred + half)[drawn]])
            low, high = np.min(ends), np.max(ends)
            self.line_, = ax.plot([low, high], [low, high], **{
                "color": "black", "alpha": 0.7, "ls": "--",
                "label": "actual = predicted", **line_kw})
            ax.set_aspect("equal", adjustable="datalim")
            ax.set(xlabel="Predicted values", ylabel="Actual values")
        else:
            label = name or "predicted"
            if self.other_features_vary:  # no line: points with vertical bars
                self.errorbar_ = ax.errorbar(
                    x[drawn], y_pred[drawn], yerr=half[drawn], **{
                        "fmt": "o", "ms": 3, "color": "tab:blue", "elinewidth": 1,
                        "alpha": 0.7, "label": f"{label}, {interval}", **errorbar_kw})
            else:
                order = np.argsort(x, kind="stable")
                self.band_ = ax.fill_between(
                    x[order], (y_pred - half)[order], (y_pred + half)[order],
                    **{"color": "tab:blue", "alpha": 0.25, "lw": 0, "label": interval,
                       **fill_between_kw})
                self.line_, = ax.plot(x[order], y_pred[order], **{
                    "color": "tab:blue", "label": label, **line_kw})
            if y_true is not None:
                self.scatter_ = ax.scatter(x[drawn], y_true[drawn], **{
                    "s": 10, "color": "black", "alpha": 0.7,
                    "label": "actual" + coverage, **scatter_kw})
            ax.set(xlabel=self.feature_name or "feature", ylabel="Target")
        ax.legend(fontsize="small")
        return self

    def _arrays(self, kind):
        """y_pred, y_std, y_true and x as 1-D float arrays of one length (y_true and x
        None when not given), checked for ``kind``."""
        shape = np.shape(self.y_pred)
        if len(shape) == 2 and shape[1] > 1:
            raise ValueError(
                f"{type(self).__name__} draws a single output; the predictions have "
                f"{shape[1]} (an estimator with n_outputs_={shape[1]}). Pass one "
                "column of y_pred and y_std to from_predictions.")
        arrays = [None if a is None else np.asarray(a, dtype=float).ravel()
                  for a in (self.y_pred, self.y_std, self.y_true, self.x)]
        if kind == "actual_vs_predicted" and arrays[2] is None:
            raise ValueError('kind="actual_vs_predicted" needs the actual values (y).')
        if kind == "feature" and arrays[3] is None:
            raise ValueError('kind="feature" needs the values of the feature (x).')
        lengths = {a.size for a in arrays if a is not None}
        if len(lengths) > 1:
            raise ValueError(f"y_pred, y_std, y_true and x have different lengths: "
                             f"{[None if a is None else a.size for a in arrays]}.")
        return arrays


def _kw(kw):
    """A ``*_kw`` argument as a dict (None: no keywords)."""
    return {} if kw is None else dict(kw)


def _other_features_vary(X, index):
    """Whether X's columns other than INDEX take more than one value over the rows
    (a DataFrame's by value, NaN equal to NaN; an array's or sparse matrix's
    numerically)."""
    if hasattr(X, "iloc"):  # a DataFrame, of any column types
        others = X.drop(columns=X.columns[index])
        return bool((others.nunique(dropna=False) > 1).any())
    if issparse(X):
        X = X.tocsc()
        keep = np.arange(X.shape[1]) != index
        others = X[:, keep]
        return bool(others.shape[1] and (others.max(axis=0) != others.min(axis=0)).nnz)
    X = np.asarray(X)
    others = np.delete(X, index, axis=1)
    if others.shape[1] == 0 or others.shape[0] < 2:
        return False
    same = others == others[0]
    if others.dtype.kind == "f":  # NaN equal to NaN
        same |= np.isnan(others) & np.isnan(others[0])
    return not bool(np.all(same))


def _estimator_name(estimator, name):
    return type(estimator).__name__ if name is None else name


def _feature(feature, estimator, n_features):
    """The index and name of ``feature`` (an index, or one of the estimator's
    ``feature_names_in_``)."""
    names = getattr(estimator, "feature_names_in_", None)
    if isinstance(feature, str):
        if names is None or feature not in names:
            known = None if names is None else list(names)
            raise ValueError(f"feature={feature!r} is not one of the estimator's "
                             f"feature_names_in_ ({known}).")
        index = list(names).index(feature)
    elif isinstance(feature, numbers.Integral) and 0 <= feature < n_features:
        index = int(feature)
    else:
        raise ValueError(f"feature must be a column index in [0, {n_features}) or a "
                         f"name, got {feature!r}.")
    return index, str(names[index]) if names is not None else f"x{index}"


def _subsample(n_samples, subsample, random_state):
    """The indices of the points drawn, as ``PredictionErrorDisplay``'s ``subsample``
    (int: how many; float in (0, 1): what fraction; None: all), but without
    replacement, so that no point is drawn twice."""
    if subsample is None:
        return np.arange(n_samples)
    if isinstance(subsample, numbers.Integral):
        if subsample <= 0:
            raise ValueError(f"When an integer, subsample={subsample} should be "
                             "positive.")
    elif isinstance(subsample, numbers.Real):
        if not 0 < subsample < 1:
            raise ValueError(f"When a floating-point, subsample={subsample} should be "
                             "in the (0, 1) range.")
        subsample = max(1, int(n_samples * subsample))
    if subsample >= n_samples:
        return np.arange(n_samples)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_samples, size=subsample, replace=False))
