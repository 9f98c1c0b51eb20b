"""The training display, written as scikit-learn's displays (matplotlib is imported
when drawing): a fit's path iteration by iteration, from its fitted attributes alone."""

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted

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

    The loss panel marks the point the model returns: the returned weights are the
    kept trial's best point (the compression or restart policy's best, or the best
    validation score with ``early_stopping``), not always its last iterate, so a
    curve that ends above its marker (a compression that did not pay, thrown away)
    still describes a model whose training loss is the marker's, ``loss_``.

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

    loss : float or None, default=None
        ``loss_``, the training loss of the returned weights: marked on the loss
        curve at the first value equal to it (its iteration), or drawn as a
        horizontal line when no value of the curve equals it. None: not marked.

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
        marker of the best validation score; ``"returned"``, the marker of the
        returned model on the loss panel (a horizontal line at ``loss`` when the
        curve has no value equal to it).

    returned_point_ : tuple of (int, float) or None
        The iteration and training loss of the returned model as marked; None when
        ``loss`` is None, the loss panel is not drawn, or no value of the curve
        equals ``loss``.

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
    >>> display = TrainingDisplay.from_estimator(model, line_kw={"color": "black"})
    >>> display.panels_
    ('loss', 'mu', 'saturation')
    >>> len(display.event_lines_["loss"]) == model.n_compressions_ > 0
    True
    >>> display.returned_point_[1] == model.loss_
    True
    """

    def __init__(self, *, loss_curve, n_iter, events=(), loss=None, init_results=None,
                 validation_scores=None, mu_curve=None, n_effective_params_curve=None,
                 saturation_curve=None, estimator_name=None):
        self.loss_curve, self.n_iter, self.events = loss_curve, n_iter, events
        self.loss = loss
        self.init_results = init_results
        self.validation_scores = validation_scores
        self.mu_curve = mu_curve
        self.n_effective_params_curve = n_effective_params_curve
        self.saturation_curve = saturation_curve
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, panels=None, ax=None, name=None, line_kw=None,
                       trial_line_kw=None, event_line_kw=None, marker_kw=None):
        """Draw the training of a fitted LMWCRegressor or LMWCClassifier (or a Dask
        one) from its fitted attributes.

        Parameters
        ----------
        estimator : fitted estimator
            An LMWCRegressor or LMWCClassifier (or a Dask one), or a meta-estimator
            holding one fitted: a Pipeline (its last step), a search such as
            ``GridSearchCV`` (its ``best_estimator_``) or a
            ``TransformedTargetRegressor`` (its ``regressor_``), nested or not. For
            any other meta-estimator, pass the fitted LMWC estimator it holds.

        panels : list of str or None, default=None
            Which panels to draw, from ``"loss"``, ``"validation"``, ``"mu"``,
            ``"n_effective_params"`` and ``"saturation"`` (drawn in that order).
            None: every panel the fit has data for.

        ax : matplotlib Axes, array-like of Axes or None, default=None
            None: a new figure with a panel per row. An Axes: drawn into when one
            panel is drawn, else its area is split into the panels (and it is turned
            off). Several: one per panel, in order.

        name : str or None, default=None
            The kept curve's label; the LMWC estimator's class name when None.

        line_kw : dict or None, default=None
            Keywords of ``matplotlib.axes.Axes.plot`` for the kept loss curve and
            every other panel's curve, over the defaults (``color="tab:blue"``).

        trial_line_kw : dict or None, default=None
            Keywords of ``Axes.plot`` for the faint curves of the trials.

        event_line_kw : dict or None, default=None
            Keywords of ``Axes.axvline`` for the event lines, over each kind's
            defaults (compressions orange dashed, restarts purple dotted).

        marker_kw : dict or None, default=None
            Keywords of ``Axes.plot`` for the markers: the returned model on the
            loss panel and the best validation score.

        Returns
        -------
        display : TrainingDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        model = _lmwc_estimator(estimator, cls.__name__)
        display = cls(loss_curve=model.loss_curve_, n_iter=model.n_iter_,
                      events=model.events_, loss=getattr(model, "loss_", None),
                      init_results=model.init_results_,
                      validation_scores=model.validation_scores_,
                      mu_curve=model.mu_curve_,
                      n_effective_params_curve=model.n_effective_params_curve_,
                      saturation_curve=model.saturation_curve_,
                      estimator_name=_estimator_name(model, name))
        return display.plot(panels=panels, ax=ax, line_kw=line_kw,
                            trial_line_kw=trial_line_kw, event_line_kw=event_line_kw,
                            marker_kw=marker_kw)

    def _curves(self):
        """The per-iteration curves, by panel (None: no data for the panel)."""
        return {"validation": self.validation_scores, "mu": self.mu_curve,
                "n_effective_params": self.n_effective_params_curve,
                "saturation": self.saturation_curve}

    def plot(self, *, panels=None, ax=None, name=None, line_kw=None, trial_line_kw=None,
             event_line_kw=None, marker_kw=None):
        """Draw the panels.

        Parameters
        ----------
        panels : list of str or None, default=None
            As for :meth:`from_estimator`.

        ax : matplotlib Axes, array-like of Axes or None, default=None
            As for :meth:`from_estimator`.

        name : str or None, default=None
            The kept curve's label; ``estimator_name`` when None.

        line_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        trial_line_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        event_line_kw : dict or None, default=None
            As for :meth:`from_estimator`.

        marker_kw : dict or None, default=None
            As for :meth:`from_estimator`.

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
        self.returned_point_ = None
        line_kw, marker_kw = _kw(line_kw), _kw(marker_kw)
        for panel, axis in zip(panels, self.axes_):
            if panel == "loss":
                self._plot_loss(axis, name, line_kw, _kw(trial_line_kw), marker_kw)
            else:
                curve = np.asarray(curves[panel], dtype=float)
                self.lines_[panel], = axis.plot(
                    np.arange(1, curve.size + 1), curve,
                    **{"color": "tab:blue", "lw": 1.2, **line_kw})
            if panel == "mu" and np.all(np.asarray(self.mu_curve) > 0):
                axis.set_yscale("log")
            elif panel == "saturation":
                axis.set_ylim(-0.03, 1.03)
            elif panel == "validation" and len(self.validation_scores):
                best = int(np.argmax(self.validation_scores))  # the first of equals
                self.lines_["best_validation"], = axis.plot(
                    [best + 1], [self.validation_scores[best]],
                    **{"marker": "o", "ls": "none", "color": "tab:green",
                       "label": "best score", **marker_kw})
            self.event_lines_[panel] = self._mark_events(axis, panel == "loss",
                                                         _kw(event_line_kw))
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

    def _plot_loss(self, axis, name, line_kw, trial_line_kw, marker_kw):
        trials = self.init_results
        if trials is not None and len(trials["loss_curve"]) > 1:
            for number, (curve, n_iter, events) in enumerate(
                    zip(trials["loss_curve"], trials["n_iter"], trials["events"])):
                line, = axis.plot(loss_curve_iterations(int(n_iter), events, len(curve)),
                                  curve, **{"color": "0.55", "lw": 0.8, "alpha": 0.6,
                                            "label": "trials" if number == 0 else None,
                                            **trial_line_kw})
                self.trial_lines_.append(line)
        curve = np.asarray(self.loss_curve, dtype=float)
        iterations = loss_curve_iterations(self.n_iter, self.events, curve.size)
        self.lines_["loss"], = axis.plot(
            iterations, curve, **{"color": "tab:blue",
                                  "lw": 2.0 if self.trial_lines_ else 1.2,
                                  "label": name, **line_kw})
        every = np.concatenate([curve, *(trials["loss_curve"] if self.trial_lines_
                                         else [])])
        if every.size and np.all(every > 0):  # LM's losses span decades
            axis.set_yscale("log")
        if self.loss is None:
            return
        loss = float(self.loss)
        # the first value equal to loss_: where the returned weights were reached
        # (loss_ and loss_curve_ are computed alike, under the same alpha)
        equal = np.flatnonzero(np.isclose(curve, loss, rtol=1e-9, atol=0.0))
        if equal.size:
            self.returned_point_ = (int(iterations[equal[0]]), float(curve[equal[0]]))
            self.lines_["returned"], = axis.plot(
                [self.returned_point_[0]], [self.returned_point_[1]],
                **{"marker": "*", "ms": 10, "ls": "none", "color": "tab:red",
                   "zorder": 3, "label": "returned model", **marker_kw})
        else:  # its value is known, not its iteration
            self.lines_["returned"] = axis.axhline(
                loss, **{"color": "tab:red", "lw": 0.9, "ls": "-.",
                         "label": "returned model's loss", **marker_kw})

    def _mark_events(self, axis, label, event_line_kw):
        lines, seen = [], set()
        for iteration, kind in self.events:
            style = _EVENT_STYLES.get(kind, dict(color="0.3", ls="-."))
            lines.append(axis.axvline(iteration, **{
                "lw": 0.9, "alpha": 0.8, **style,
                "label": kind if label and kind not in seen else None, **event_line_kw}))
            seen.add(kind)
        return lines


def _kw(kw):
    """A ``*_kw`` argument as a dict (None: no keywords)."""
    return {} if kw is None else dict(kw)


def _estimator_name(estimator, name):
    return type(estimator).__name__ if name is None else name


def _lmwc_estimator(estimator, display):
    """The fitted LMWC estimator that ESTIMATOR is or holds: a Pipeline's last step, a
    search's ``best_estimator_``, a TransformedTargetRegressor's ``regressor_``,
    unwrapped as often as they nest."""
    from sklearn.pipeline import Pipeline

    model = estimator
    while True:
        if isinstance(model, Pipeline):
            model = model[-1]
        elif hasattr(model, "best_estimator_"):
            model = model.best_estimator_
        elif hasattr(model, "regressor_"):
            model = model.regressor_
        else:
            break
    if type(model).__module__.startswith("sklearn_lmwc"):
        check_is_fitted(model, "loss_curve_")  # NotFittedError for an unfitted one
        return model
    held = "" if model is estimator else f" holding a {type(model).__name__}"
    raise TypeError(
        f"{display} draws the training of a fitted LMWCRegressor or LMWCClassifier "
        "(or a Dask one), alone or as the last step of a fitted Pipeline, the "
        "best_estimator_ of a fitted search or the regressor_ of a fitted "
        f"TransformedTargetRegressor; got a {type(estimator).__name__}{held}. Pass the "
        "fitted LMWC estimator itself (for another meta-estimator, the fitted "
        "attribute that holds it).")
