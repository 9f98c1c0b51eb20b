"""The displays, written as scikit-learn's (matplotlib is imported when drawing): the
training display, a fit's path iteration by iteration from its fitted attributes
alone, and the prediction interval display, predictions with their error bars."""

import numbers
from inspect import signature

import numpy as np
from scipy.sparse import issparse
from scipy.stats import norm
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import _num_features, check_is_fitted

# the panels in the order they are drawn, with their y-axis labels
PANELS = {"loss": "training loss", "validation": "validation score", "mu": "damping mu",
          "n_effective_params": "effective\nparameters",
          "saturation": "saturated\nfraction"}
_EVENT_STYLES = {"compression": dict(color="tab:orange", ls="--"),
                 "restart": dict(color="tab:purple", ls=":")}


def loss_curve_iterations(n_iter, events, n_values):
    """The iteration of each value of a loss curve (``loss_curve_``): 1 to ``n_iter``,
    an event's iteration again for the value after the event (the curve jumps
    there); the first ``n_values`` of them (a final event has no value after it)."""
    iterations = np.array([*range(1, n_iter + 1), *(it for it, _ in events)], dtype=int)
    return np.sort(iterations, kind="stable")[:n_values]


class TrainingDisplay:
    """Training display: what a fit did, iteration by iteration.

    Panels, one above the other on a shared iteration axis: the training loss
    (``loss_curve_``; with several trials, every trial's curve faint and the kept
    one bold), the validation score with ``early_stopping`` (its best marked), the
    LM damping mu, the effective number of parameters with ``alpha="bayes"`` and the
    fraction of saturated hidden activations. A vertical line on every panel marks
    each compression or restart, after the iteration where it acted. Values are
    drawn at the iteration they follow; the loss after an event is drawn at the
    event's iteration, so the loss curve jumps on its line.

    Create it with :meth:`from_estimator`; the parameters are the fitted attributes
    it draws, stored as attributes of the same name.

    Parameters
    ----------
    loss_curve : list of float
        The kept trial's ``loss_curve_``.

    n_iter : int
        Its ``n_iter_``.

    events : list of (int, str), default=()
        Its ``events_``: ``(iteration, "compression" or "restart")``.

    init_results : dict or None, default=None
        The estimator's ``init_results_``; with more than one trial, every trial's
        ``"loss_curve"`` (placed by its ``"n_iter"`` and ``"events"``) is drawn
        faint beneath the kept one.

    validation_scores : list of float or None, default=None
        ``validation_scores_``: a panel when not None.

    mu_curve : list of float or None, default=None
        ``mu_curve_``: a panel when not None.

    n_effective_params_curve : list of float or None, default=None
        ``n_effective_params_curve_``: a panel when not None.

    saturation_curve : list of float or None, default=None
        ``saturation_curve_``: a panel when not None.

    estimator_name : str or None, default=None
        The kept curve's label in the legend.

    Attributes
    ----------
    panels_ : tuple of str
        The panels drawn, top to bottom: some of ``"loss"``, ``"validation"``,
        ``"mu"``, ``"n_effective_params"``, ``"saturation"``.

    axes_ : ndarray of matplotlib Axes
        One per panel, in the order of ``panels_``.

    lines_ : dict of str to matplotlib Line2D
        The curve of each panel, by the panel's name; ``"best_validation"``, the
        marker of the best validation score.

    trial_lines_ : list of matplotlib Line2D
        The faint loss curves of the trials, in the order of ``init_results_``
        (empty with one trial).

    event_lines_ : dict of str to list of matplotlib Line2D
        For each panel, the vertical lines of ``events``, in their order.

    bounding_ax_ : matplotlib Axes or None
        The single Axes given as ``ax`` whose area the panels share (turned off);
        None otherwise.

    figure_ : matplotlib Figure
        The figure holding the panels.

    See Also
    --------
    sklearn_lmwc.LMWCRegressor, sklearn_lmwc.LMWCClassifier : their fitted
        attributes are what the display draws.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_lmwc import LMWCRegressor, TrainingDisplay
    >>> from sklearn_lmwc.datasets import make_parity
    >>> X, y = make_parity(5)
    >>> model = LMWCRegressor(hidden_layer_sizes=(2,), topology="fcc", goal=0.1,
    ...                       tol=None, beta=1e-3, random_state=0).fit(X, y)
    >>> display = TrainingDisplay.from_estimator(model)
    >>> display.panels_
    ('loss', 'mu', 'saturation')
    >>> len(display.event_lines_["loss"]) == model.n_compressions_ > 0
    True
    """

    def __init__(self, *, loss_curve, n_iter, events=(), init_results=None,
                 validation_scores=None, mu_curve=None, n_effective_params_curve=None,
                 saturation_curve=None, estimator_name=None):
        self.loss_curve, self.n_iter, self.events = loss_curve, n_iter, events
        self.init_results = init_results
        self.validation_scores = validation_scores
        self.mu_curve = mu_curve
        self.n_effective_params_curve = n_effective_params_curve
        self.saturation_curve = saturation_curve
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, panels=None, ax=None, name=None):
        """Draw the training of a fitted LMWCRegressor or LMWCClassifier (or a Dask
        one) from its fitted attributes.

        Parameters
        ----------
        estimator : fitted LMWCRegressor or LMWCClassifier

        panels : list of str or None, default=None
            Which panels to draw, from ``"loss"``, ``"validation"``, ``"mu"``,
            ``"n_effective_params"`` and ``"saturation"`` (drawn in that order).
            None: every panel the fit has data for.

        ax : matplotlib Axes, array-like of Axes or None, default=None
            None: a new figure with a panel per row. An Axes: drawn into when one
            panel is drawn, else its area is split into the panels (and it is turned
            off). Several: one per panel, in order.

        name : str or None, default=None
            The kept curve's label; the estimator's class name when None.

        Returns
        -------
        display : TrainingDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator, "loss_curve_")
        display = cls(loss_curve=estimator.loss_curve_, n_iter=estimator.n_iter_,
                      events=estimator.events_, init_results=estimator.init_results_,
                      validation_scores=estimator.validation_scores_,
                      mu_curve=estimator.mu_curve_,
                      n_effective_params_curve=estimator.n_effective_params_curve_,
                      saturation_curve=estimator.saturation_curve_,
                      estimator_name=_estimator_name(estimator, name))
        return display.plot(panels=panels, ax=ax)

    def _curves(self):
        """The per-iteration curves, by panel (None: no data for the panel)."""
        return {"validation": self.validation_scores, "mu": self.mu_curve,
                "n_effective_params": self.n_effective_params_curve,
                "saturation": self.saturation_curve}

    def plot(self, *, panels=None, ax=None, name=None):
        """Draw the panels.

        Parameters
        ----------
        panels : list of str or None, default=None
            As for :meth:`from_estimator`.

        ax : matplotlib Axes, array-like of Axes or None, default=None
            As for :meth:`from_estimator`.

        name : str or None, default=None
            The kept curve's label; ``estimator_name`` when None.

        Returns
        -------
        display : TrainingDisplay
            Itself, with ``axes_``, ``lines_`` and ``figure_``.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        curves = self._curves()
        available = ["loss", *(panel for panel, curve in curves.items()
                               if curve is not None)]
        panels = self._check_panels(panels, available)
        self._make_axes(ax, len(panels))
        self.panels_ = panels
        name = self.estimator_name if name is None else name
        self.lines_, self.event_lines_ = {}, {}
        self.trial_lines_ = []
        for panel, axis in zip(panels, self.axes_):
            if panel == "loss":
                self._plot_loss(axis, name)
            else:
                curve = np.asarray(curves[panel], dtype=float)
                self.lines_[panel], = axis.plot(np.arange(1, curve.size + 1), curve,
                                                color="tab:blue", lw=1.2)
            if panel == "mu" and np.all(np.asarray(self.mu_curve) > 0):
                axis.set_yscale("log")
            elif panel == "saturation":
                axis.set_ylim(-0.03, 1.03)
            elif panel == "validation" and len(self.validation_scores):
                best = int(np.argmax(self.validation_scores))  # the first of equals
                self.lines_["best_validation"], = axis.plot(
                    [best + 1], [self.validation_scores[best]], "o", color="tab:green",
                    label="best score")
            self.event_lines_[panel] = self._mark_events(axis, label=panel == "loss")
            axis.set_ylabel(PANELS[panel])
        from matplotlib.ticker import MaxNLocator

        for axis in self.axes_:  # iterations are whole numbers
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.axes_[-1].set_xlabel("iteration")
        first = self.axes_[0]
        if first.get_legend_handles_labels()[0]:
            first.legend(fontsize="small")
        return self

    @staticmethod
    def _check_panels(panels, available):
        if panels is None:
            return tuple(available)
        if isinstance(panels, str):
            panels = [panels]
        unknown = [p for p in panels if p not in PANELS]
        if unknown:
            raise ValueError(f"Unknown panels {unknown}; choose from {list(PANELS)}.")
        missing = [p for p in panels if p not in available]
        if missing:
            raise ValueError(
                f"No data for the panels {missing}: 'validation' needs "
                "early_stopping=True, 'n_effective_params' alpha='bayes' and 'mu' a "
                "solver with a damping of its own (solver='lm').")
        if not panels:
            raise ValueError("panels must name at least one panel.")
        return tuple(p for p in PANELS if p in panels)  # in the drawing order

    def _make_axes(self, ax, n_panels):
        """``axes_``, ``figure_`` and ``bounding_ax_`` for ``n_panels`` panels."""
        import matplotlib.pyplot as plt

        self.bounding_ax_ = None
        if ax is None:
            figure, axes = plt.subplots(n_panels, 1, sharex=True, squeeze=False,
                                        figsize=(6.4, 1.2 + 1.6 * n_panels),
                                        layout="constrained")
            self.axes_, self.figure_ = axes[:, 0], figure
        elif isinstance(ax, plt.Axes) and n_panels == 1:
            self.axes_, self.figure_ = np.array([ax], dtype=object), ax.figure
        elif isinstance(ax, plt.Axes):
            # as scikit-learn's PartialDependenceDisplay: the panels share ax's area
            if not ax.axison:
                raise ValueError("The ax was already used by another display; pass "
                                 "ax=display.axes_ instead.")
            spec = ax.get_subplotspec()
            if spec is None:
                raise ValueError("ax must be a subplot (from plt.subplots or "
                                 "add_subplot) to hold several panels, or pass one Axes "
                                 "per panel.")
            from matplotlib.gridspec import GridSpecFromSubplotSpec

            ax.set_axis_off()
            self.bounding_ax_, self.figure_ = ax, ax.figure
            grid = GridSpecFromSubplotSpec(n_panels, 1, subplot_spec=spec)
            first = self.figure_.add_subplot(grid[0])
            self.axes_ = np.array([first, *(self.figure_.add_subplot(g, sharex=first)
                                            for g in list(grid)[1:])], dtype=object)
        else:
            axes = np.asarray(ax, dtype=object).ravel()
            if axes.size != n_panels:
                raise ValueError(f"Expected ax to have {n_panels} axes (one per panel), "
                                 f"got {axes.size}.")
            self.axes_, self.figure_ = axes, axes[0].figure

    def _plot_loss(self, axis, name):
        trials = self.init_results
        if trials is not None and len(trials["loss_curve"]) > 1:
            for number, (curve, n_iter, events) in enumerate(
                    zip(trials["loss_curve"], trials["n_iter"], trials["events"])):
                line, = axis.plot(loss_curve_iterations(int(n_iter), events, len(curve)),
                                  curve, color="0.55", lw=0.8, alpha=0.6,
                                  label="trials" if number == 0 else None)
                self.trial_lines_.append(line)
        curve = np.asarray(self.loss_curve, dtype=float)
        self.lines_["loss"], = axis.plot(
            loss_curve_iterations(self.n_iter, self.events, curve.size), curve,
            color="tab:blue", lw=2.0 if self.trial_lines_ else 1.2, label=name)
        every = np.concatenate([curve, *(trials["loss_curve"] if self.trial_lines_
                                         else [])])
        if every.size and np.all(every > 0):  # LM's losses span decades
            axis.set_yscale("log")

    def _mark_events(self, axis, label):
        lines, seen = [], set()
        for iteration, kind in self.events:
            style = _EVENT_STYLES.get(kind, dict(color="0.3", ls="-."))
            lines.append(axis.axvline(iteration, lw=0.9, alpha=0.8, **style,
                                      label=kind if label and kind not in seen else None))
            seen.add(kind)
        return lines


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
    - ``"feature"``: against one feature, the predictions sorted by it as a line,
      their intervals as a band, and the actual values (when given) as points. It is
      meaningful for one-dimensional inputs, or for rows that vary along that
      feature alone (a slice of the input space); otherwise the line zigzags with the
      other features.

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
        The points and their error bars (``kind="actual_vs_predicted"``).

    line_ : matplotlib Line2D
        The diagonal (``kind="actual_vs_predicted"``) or the predictions sorted by
        the feature (``kind="feature"``).

    band_ : matplotlib PolyCollection or None
        The intervals (``kind="feature"``).

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
    """

    def __init__(self, *, y_pred, y_std, y_true=None, x=None, confidence=0.95,
                 feature_name=None, estimator_name=None):
        self.y_pred, self.y_std, self.y_true, self.x = y_pred, y_std, y_true, x
        self.confidence = confidence
        self.feature_name = feature_name
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, kind="actual_vs_predicted",
                       feature=0, confidence=0.95, subsample=1_000, random_state=None,
                       ax=None, name=None):
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
            estimator's ``feature_names_in_``).

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
        if kind == "feature":
            index, feature_name = _feature(feature, estimator, _num_features(X))
            # _safe_indexing takes no column of a list
            x = _safe_indexing(np.asarray(X) if isinstance(X, list) else X, index,
                               axis=1)
            x = x.toarray() if issparse(x) else x
        display = cls(y_pred=y_pred, y_std=y_std, y_true=y, x=x, confidence=confidence,
                      feature_name=feature_name,
                      estimator_name=_estimator_name(estimator, name))
        return display.plot(ax, kind=kind, subsample=subsample,
                            random_state=random_state)

    @classmethod
    def from_predictions(cls, y_true, y_pred, y_std, *, x=None,
                         kind="actual_vs_predicted", confidence=0.95, subsample=1_000,
                         random_state=None, ax=None, feature_name=None, name=None):
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

        name : str or None, default=None
            Named in the legend.

        Returns
        -------
        display : PredictionIntervalDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_predictions")
        display = cls(y_pred=y_pred, y_std=y_std, y_true=y_true, x=x,
                      confidence=confidence, feature_name=feature_name,
                      estimator_name=name)
        return display.plot(ax, kind=kind, subsample=subsample,
                            random_state=random_state)

    def plot(self, ax=None, *, kind="actual_vs_predicted", subsample=1_000,
             random_state=None, name=None):
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
        if kind == "actual_vs_predicted":
            self.errorbar_ = ax.errorbar(
                y_pred[drawn], y_true[drawn], xerr=half[drawn], fmt="o", ms=3,
                color="tab:blue", ecolor="tab:blue", elinewidth=1, alpha=0.7,
                label=f"{name}, {interval}{coverage}" if name else interval + coverage)
            ends = np.concatenate([y_true[drawn], (y_pred - half)[drawn],
                                   (y_pred + half)[drawn]])
            low, high = np.min(ends), np.max(ends)
            self.line_, = ax.plot([low, high], [low, high], color="black", alpha=0.7,
                                  ls="--", label="actual = predicted")
            ax.set_aspect("equal", adjustable="datalim")
            ax.set(xlabel="Predicted values", ylabel="Actual values")
        else:
            order = np.argsort(x, kind="stable")
            self.band_ = ax.fill_between(x[order], (y_pred - half)[order],
                                         (y_pred + half)[order], color="tab:blue",
                                         alpha=0.25, lw=0, label=interval)
            self.line_, = ax.plot(x[order], y_pred[order], color="tab:blue",
                                  label=name or "predicted")
            if y_true is not None:
                self.scatter_ = ax.scatter(x[drawn], y_true[drawn], s=10, color="black",
                                           alpha=0.7, label="actual" + coverage)
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
