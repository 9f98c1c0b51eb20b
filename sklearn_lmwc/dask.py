"""Training on dask arrays: ``DaskLMWCRegressor`` and ``DaskLMWCClassifier``.

Needs the optional extra (``pip install "sklearn-lmwc[dask]"``); nothing else in the
package imports dask. Everything an LM iteration needs from the data (the objective's
value, Q and g, the count of flat activations, the compression statistic) is a sum
over samples: each row block of the dask arrays computes its sums with the in-memory
``Objective`` (without the penalty), dask adds them up by tree reduction, and the
penalty, the solve, the damping and the compression policy stay on the client. The
data never leave the workers; per iteration each block returns ``N (N + 1) / 2 + N``
floats (the lower triangle of the symmetric Q, and g) and a few per
damping try.
"""

import copy
import inspect
import re
from functools import partial

import dask
import dask.array as da
import numpy as np
from sklearn.utils.validation import _check_feature_names, _check_n_features, check_is_fitted

from ._classifier import LMWCClassifier
from ._objective import Objective
from ._regressor import LMWCRegressor
from ._solvers import SOLVERS
from ._targets import standardisation

__all__ = ["DaskLMWCClassifier", "DaskLMWCRegressor"]


def _block_sums(X, Y, sw=None, *, network, loss, w, kind, statistic=None):
    """One row block's sums of ``kind`` ("loss", "gauss_newton" or "statistic") as
    one row, shape (1, K), so that dask's ``sum(axis=0)`` reduces them. For "loss",
    w holds one weight vector per row, and the block's loss and flat count at each
    follow one another."""
    objective = Objective(network, loss, X, Y, sw, 0.0, form="weights")
    if kind == "loss":
        parts = [objective.loss_sums(point) for point in w]
    elif kind == "gauss_newton":
        Q, g = objective.gauss_newton_sums(w)
        parts = Q[np.tril_indices_from(Q)], g
    else:  # an empty block has no chunk to sum over
        parts = objective.net_statistic_sums(w, statistic) if X.shape[0] else \
            [np.zeros(layer.size) for layer in network.hidden]
    return np.hstack(parts)[None]


class DaskObjective(Objective):
    """An ``Objective`` whose sums over samples run over the row blocks of dask arrays.

    The damped system is always in the weights' space, N x N (the residuals' R x R
    form would need the whole Jacobian in one place). ``lm_iteration`` evaluates the
    tries of ``tries_per_pass = 3`` dampings in one pass: here a pass, not the arithmetic, is the
    cost (a scheduler round, and the data read again when they do not stay in
    memory), and LM takes about two tries per iteration.

    Parameters
    ----------
    network, loss, alpha
        As for ``Objective``.
    X : dask array (n_samples, n_features)
    Y : dask array (n_samples, n_outputs)
        Targets in the loss's encoding, in the row chunks of X.
    sample_weight : dask array (n_samples,) or None
        In the row chunks of X.
    scheduler : distributed.Client, str or None
        What ``dask.compute`` runs on; None: dask's default (the current client if
        there is one, else the threaded scheduler).
    weight_groups : {"single", "layers", "ard"}
        As for ``Objective``.
    """

    tries_per_pass = 3
    stackable = False  # trials run one by one: each pass is a scheduler round already
    max_shares = 1  # the scheduler runs the blocks in parallel

    def __init__(self, network, loss, X, Y, sample_weight=None, alpha=0.0, scheduler=None,
                 weight_groups="single"):
        super().__init__(network, loss, X, Y, None, alpha, form="weights",
                         weight_groups=weight_groups)
        self.passes.sample_weight, self.scheduler = sample_weight, scheduler
        if sample_weight is not None:
            self.weight_sum = float(self._compute(sample_weight.sum()))

    def _compute(self, collection):
        return dask.compute(collection, scheduler=self.scheduler)[0]

    def _sum_blocks(self, w, kind, size, **kwargs):
        arrays = [self.X, "ij", self.Y, "ik"]
        if self.sample_weight is not None:
            arrays += [self.sample_weight, "i"]
        parts = da.blockwise(
            _block_sums, "il", *arrays, new_axes={"l": size}, adjust_chunks={"i": 1},
            concatenate=True, dtype=np.float64, meta=np.empty((0, 0)),
            network=self.network, loss=self.loss, w=w, kind=kind, **kwargs)
        return self._compute(parts.sum(axis=0))

    def loss_sums(self, w):
        return self._loss_sums_at([w])[0]

    def _loss_sums_at(self, ws):
        """``loss_sums`` at each of ws, from one pass over the blocks."""
        sums = self._sum_blocks(np.array(ws), "loss", 2 * len(ws)).reshape(-1, 2)
        return [(total, int(flat)) for total, flat in sums]

    def gauss_newton_sums(self, w):
        N = self.network.n_weights
        packed = self._sum_blocks(w, "gauss_newton", N * (N + 1) // 2 + N)
        Q = np.empty((N, N))
        rows, cols = np.tril_indices(N)
        Q[rows, cols] = Q[cols, rows] = packed[:-N]
        return Q, packed[-N:]

    def net_statistic_sums(self, w, statistic):
        sizes = [layer.size for layer in self.network.hidden]
        sums = self._sum_blocks(w, "statistic", sum(sizes), statistic=statistic)
        return np.split(sums, np.cumsum(sizes)[:-1])


def _rows(a, row_chunks=None):
    """``a`` as a dask array chunked by rows only: numpy and pandas data are wrapped,
    dask dataframes converted, and dask arrays rechunked to one chunk across columns
    (and to ``row_chunks`` when given)."""
    if hasattr(a, "to_dask_array"):  # dask dataframe or series
        a = a.to_dask_array(lengths=True)
    if not isinstance(a, da.Array):
        a = np.asarray(a)
        return da.from_array(a, chunks=(row_chunks or "auto",) + (-1,) * (a.ndim - 1))
    if any(np.isnan(c) for c in a.chunks[0]):
        raise ValueError("The dask array's row chunks are unknown; call "
                         "compute_chunk_sizes() on it (or to_dask_array(lengths=True) "
                         "on a dask dataframe) first.")
    return a.rechunk({0: row_chunks or a.chunks[0], **{k: -1 for k in range(1, a.ndim)}})


def _frame(X):
    """What scikit-learn's feature-name checks read of X: a dask dataframe's empty
    pandas twin (its ``_meta``: the columns and their dtypes), other X as they are."""
    return X._meta if hasattr(X, "to_dask_array") and hasattr(X, "columns") else X


def _forward_block(X, network, w):
    return network.forward(w, X)


def _apply(X, local, method, return_std):
    """The in-memory estimator's ``method`` on a block; with ``return_std``, the
    values and their standard deviations side by side, (n, 2 x n_outputs)."""
    if return_std:
        return np.column_stack(getattr(local, method)(X, return_std=True))
    return getattr(local, method)(X)


def _lookup(y, classes, codes):
    return codes[np.searchsorted(classes, y)]


class _DaskEstimator:
    """What the Dask estimators change in the in-memory ones: how fit validates,
    encodes and sums over the data, trials run one after another on the client,
    prediction by blocks. Everything else is inherited."""

    def _check_params(self):
        if not SOLVERS[self.solver].chunked:
            chunked = ", ".join(f'"{name}"' for name, s in SOLVERS.items() if s.chunked)
            raise ValueError(f'solver="{self.solver}" needs the data in memory (the '
                             'whole Jacobian, or rows drawn for mini-batches); the Dask '
                             f'estimators train with solver={chunked}.')
        if self.early_stopping:
            raise ValueError("early_stopping is not supported on dask data; hold out a "
                             "validation set yourself and score it after fit.")
        return super()._check_params()

    def _compute(self, *collections):
        return dask.compute(*collections, scheduler=self.client)

    def _prepare_data(self, X, y, sample_weight, reset):
        _check_feature_names(self, _frame(X), reset=reset)
        in_memory = not hasattr(X, "dask")
        X = _rows(X)
        if X.ndim != 2 or X.dtype.kind not in "biuf":
            raise ValueError(f"X must be a 2-D numeric array, got {X.ndim} dimensions "
                             f"of dtype {X.dtype}.")
        _check_n_features(self, X, reset=reset)
        X = X.astype(np.float64)
        y = _rows(y, X.chunks[0])
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} samples, y {y.shape[0]}.")
        if sample_weight is not None:
            sample_weight = _rows(sample_weight, X.chunks[0]).astype(np.float64)
        self._check_values(X, y, sample_weight)
        Y = self._encode_targets(y, sample_weight, reset)
        client = self._distributed_client()
        if in_memory and client is not None:  # else every iteration's graph carries them
            X, Y = client.persist([X, Y])
            if sample_weight is not None:
                sample_weight = client.persist(sample_weight)
        return X, y, Y, sample_weight

    def _check_values(self, X, y, sample_weight):
        """The in-memory estimators' errors (scikit-learn's messages) for NaN or
        infinity in X, in numeric y or in sample_weight, and for negative or all-zero
        sample weights, from one pass over the data."""
        inputs = {"X": X, "y": y if y.dtype.kind == "f" else None,
                  "sample_weight": sample_weight}
        checks = {}
        for name, a in inputs.items():
            if a is not None:
                checks[f"Input {name} contains NaN."] = da.isnan(a).any()
                checks[f"Input {name} contains infinity or a value too large for "
                       f"{a.dtype!r}."] = da.isinf(a).any()
        if sample_weight is not None:
            checks["Negative values in data passed to `sample_weight`."] = \
                (sample_weight < 0).any()
            checks["Sample weights must contain at least one non-zero number."] = \
                ~(sample_weight != 0).any()
        found = [message for message, bad in zip(checks, self._compute(*checks.values()))
                 if bad]
        if found:
            remedy = (f"\n{type(self).__name__} does not accept missing values encoded "
                      "as NaN: impute them or drop the samples that have them before "
                      "fit (for instance with a dask dataframe's fillna or dropna)."
                      if found[0].endswith("NaN.") else "")
            raise ValueError(found[0] + remedy)

    def _distributed_client(self):
        """The distributed client the sums run on, or None (a local scheduler)."""
        if self.client is None:
            try:
                from distributed import default_client
                return default_client()
            except (ImportError, ValueError):
                return None
        return self.client if hasattr(self.client, "persist") else None

    def _objective_factory(self):
        return partial(DaskObjective, scheduler=self.client)

    def _trial_params(self):
        # each trial already spreads its work over the cluster
        return {**super()._trial_params(), "n_jobs": 1}

    def _outputs_finite(self, network, w, X, chunk):
        Z = X.map_blocks(_forward_block, network, w, dtype=np.float64,
                         chunks=(X.chunks[0], (network.n_outputs,)))
        return bool(self._compute(da.isfinite(self._decode(Z)).all())[0])

    def _informative_inputs(self, X):
        # the columns' ranges, computed where the fit's sums are; copies of a column
        # are left to the evidence
        low, high = self._compute(X.min(axis=0), X.max(axis=0))
        return np.asarray(high > low)

    def _input_scale(self, X):
        # computed where the fit's sums were
        with np.errstate(all="ignore"):
            (squares,) = self._compute((X * X).sum(axis=0))
            return float(np.sqrt(squares / X.shape[0]).max())

    def _local(self, copied=False, posteriors=True):
        """The in-memory estimator of the same parameters (but ``client``) and fitted
        attributes, these shared with this estimator unless ``copied``; without
        ``laplace_posteriors_`` (a weights x weights factor per member) unless
        ``posteriors``."""
        check_is_fitted(self, "coefs_")
        params = self.get_params(deep=False)
        del params["client"]
        local = self._local_class(**params)
        fitted = {k: v for k, v in vars(self).items() if k not in params and k != "client"
                  and (posteriors or k != "laplace_posteriors_")}
        local.__dict__.update(copy.deepcopy(fitted) if copied else fitted)
        return local

    def to_local(self):
        """The equivalent in-memory estimator.

        Returns
        -------
        estimator : LMWCRegressor or LMWCClassifier
            The same parameters (but ``client``) and a copy of the fitted attributes.
        """
        return self._local(copied=True)

    def _map_rows(self, method, X, n_columns, dtype, return_std=False):
        """The in-memory estimator's ``method`` on every row block of X (n_columns
        None: one value per row). The graph holds that estimator once, its arrays
        those of this one (nothing is copied), the posterior factors only when the
        predictions read them (``return_std``, or ``moderation``)."""
        posteriors = return_std or getattr(self, "moderation", None) is not None
        local = self._local(posteriors=posteriors)
        _check_feature_names(self, _frame(X), reset=False)
        local.__dict__.pop("feature_names_in_", None)  # checked; blocks are arrays
        X = _rows(X)
        chunks = (X.chunks[0],) if n_columns is None else (X.chunks[0], (n_columns,))
        return X.map_blocks(_apply, dask.delayed(local, pure=False), method, return_std,
                            dtype=dtype, chunks=chunks, drop_axis=[] if n_columns else 1,
                            meta=np.empty((0,) * len(chunks), dtype))

    def _map_rows_with_std(self, method, X):
        """``method(X, return_std=True)`` of the in-memory estimator, block by block:
        two dask arrays of the shape ``method`` gives."""
        M = self.n_outputs_
        both = self._map_rows(method, X, 2 * M, np.float64, return_std=True)
        values, std = both[:, :M], both[:, M:]
        return (values[:, 0], std[:, 0]) if M == 1 else (values, std)


_DASK_DOC = """\

    client : distributed.Client or str, default=None
        Where the sums over the data are computed: a client, or the name of a
        local dask scheduler (``"threads"``, ``"processes"``, ``"synchronous"``).
        None: the current client if there is one, else dask's threaded scheduler.
        Data passed in memory (numpy, pandas) are wrapped in row blocks and, on a
        distributed client, persisted there once."""

_DASK_NOTES = """\
The data are dask arrays (or dask dataframes, numpy arrays) chunked by rows; every
    iteration reduces per-block sums over them, while the LM solve, the damping and
    compression run on the client, exactly as in-memory (the same ``random_state``
    gives the same fit up to rounding). Trials (``n_init``) run one after another,
    each spread over the cluster; ``n_jobs`` is ignored. Only ``solver="lm"`` is
    supported (not ``"scipy"`` nor the first-order solvers), and not
    ``early_stopping``. ``to_local()`` returns the in-memory
    estimator."""


def _section(doc, title):
    """The entries of the numpydoc section ``title`` of a class docstring."""
    head = f"\n    {title}\n    {'-' * len(title)}\n"
    body = doc[doc.index(head) + len(head):]
    end = re.search(r"\n\n    \S.*\n    -{3,}\n", body)  # the next section
    return (body[:end.start()] if end else body).strip()


def _dask_estimator(cls):
    """Finish a Dask estimator: the in-memory estimator's ``__init__`` (its parameters
    and defaults, so they cannot drift apart) plus ``client=None``, and the docstring
    with the in-memory estimator's parameters and attributes."""
    local = cls._local_class
    local_init = local.__init__

    def __init__(self, *args, client=None, **kwargs):
        local_init(self, *args, **kwargs)
        self.client = client

    signature = inspect.signature(local_init)
    client = inspect.Parameter("client", inspect.Parameter.KEYWORD_ONLY, default=None)
    __init__.__signature__ = signature.replace(  # what get_params and clone read
        parameters=[*signature.parameters.values(), client])
    cls.__init__ = __init__
    for key, text in {"{parameters}": _section(local.__doc__, "Parameters"),
                      "{attributes}": _section(local.__doc__, "Attributes"),
                      "{dask}": _DASK_DOC, "{notes}": _DASK_NOTES}.items():
        cls.__doc__ = cls.__doc__.replace(key, text)
    return cls


@_dask_estimator
class DaskLMWCRegressor(_DaskEstimator, LMWCRegressor):
    """:class:`~sklearn_lmwc.LMWCRegressor` trained on dask arrays.

    Parameters
    ----------
    {parameters}
{dask}

    Attributes
    ----------
    {attributes}

    Notes
    -----
    {notes}

    See Also
    --------
    sklearn_lmwc.LMWCRegressor : The in-memory estimator.
    """

    _local_class = LMWCRegressor
    _parameter_constraints = {**LMWCRegressor._parameter_constraints,
                              "client": "no_validation"}


    def _encode_targets(self, y, sample_weight, reset):
        if y.dtype.kind not in "biuf":
            raise ValueError(f"DaskLMWCRegressor needs numeric targets, got y of dtype "
                             f"{y.dtype}; for class labels use DaskLMWCClassifier.")
        Y = y.reshape(y.shape[0], -1).astype(np.float64)
        if reset:  # LMWCRegressor's, in one pass over y (two if the moments overflow)
            self._y_mean, self._y_scale = standardisation(Y, sample_weight, self._compute)
        return (Y - self._y_mean) / self._y_scale

    def predict(self, X, return_std=False, return_cov=False):
        """Predict with the fitted network, block by block; optionally the predictive
        standard deviation (see ``LMWCRegressor.predict``), lazily, by the same
        blocks.

        Parameters
        ----------
        X : dask array, dask dataframe or array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of the predictive distribution.
        return_cov : bool, default=False
            Not supported: the covariance between every pair of rows is an
            ``n_samples x n_samples`` matrix (``to_local().predict`` gives it for rows
            in memory); a ValueError.

        Returns
        -------
        y_mean : dask array of shape (n_samples,) or (n_samples, n_outputs)
        y_std : dask array of the shape of ``y_mean``
            Only with ``return_std``.
        """
        if return_cov:
            raise ValueError("DaskLMWCRegressor.predict does not give return_cov (an "
                             "n_samples x n_samples matrix); use return_std, or "
                             "to_local().predict(X, return_cov=True) on rows in memory.")
        if return_std:
            return self._map_rows_with_std("predict", X)
        return self._map_rows("predict", X, None if self.n_outputs_ == 1 else self.n_outputs_,
                              np.float64)


@_dask_estimator
class DaskLMWCClassifier(_DaskEstimator, LMWCClassifier):
    """:class:`~sklearn_lmwc.LMWCClassifier` trained on dask arrays (binary and
    multiclass: y holds one label per sample).

    Parameters
    ----------
    {parameters}
{dask}

    Attributes
    ----------
    {attributes}

    Notes
    -----
    {notes}

    See Also
    --------
    sklearn_lmwc.LMWCClassifier : The in-memory estimator.
    """

    _local_class = LMWCClassifier
    _parameter_constraints = {**LMWCClassifier._parameter_constraints,
                              "client": "no_validation"}

    def _prepare_data(self, X, y, sample_weight, reset):
        X, y, Y, sample_weight = super()._prepare_data(X, y, sample_weight, reset)
        if self.class_weight is None:
            return X, y, Y, sample_weight
        # class_weight as sample weights, as LMWCClassifier._class_weighted, by blocks
        (classes,) = self._compute(da.unique(y))
        codes = y.map_blocks(_lookup, classes, np.arange(len(classes)), dtype=np.intp)
        (counts,) = self._compute(da.bincount(codes, weights=sample_weight,
                                              minlength=len(classes)))
        weights = self._weights_of_classes(classes, counts)
        if sample_weight is None and np.all(weights == 1.0):
            return X, y, Y, None  # balanced classes: the unweighted fit
        rows = y.map_blocks(_lookup, classes, weights, dtype=np.float64)
        sample_weight = rows if sample_weight is None else sample_weight * rows
        self._check_weight_sum(self._compute(sample_weight.sum())[0])
        return X, y, Y, sample_weight


    def _encode_targets(self, y, sample_weight, reset):
        if y.ndim != 1:
            raise ValueError("DaskLMWCClassifier takes one label per sample (a 1-D y); "
                             "for multilabel targets use LMWCClassifier.")
        (classes,) = self._compute(da.unique(y))
        # the in-memory encoding of each class (it fits, or on warm start checks, the
        # classes), looked up for every label
        codes = super()._encode_targets(classes, None, reset)
        return y.map_blocks(_lookup, classes, codes, dtype=np.float64, new_axis=1,
                            chunks=(y.chunks[0], (codes.shape[1],)))

    def predict(self, X):
        """Predict class labels, block by block.

        Parameters
        ----------
        X : dask array, dask dataframe or array-like of shape (n_samples, n_features)

        Returns
        -------
        y : dask array of shape (n_samples,)
        """
        return self._map_rows("predict", X, None, self.classes_.dtype)

    def predict_proba(self, X):
        """Probability estimates, block by block (see ``LMWCClassifier.predict_proba``).

        Parameters
        ----------
        X : dask array, dask dataframe or array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : dask array of shape (n_samples, n_classes)
        """
        return self._map_rows("predict_proba", X, len(self.classes_), np.float64)

    def predict_log_proba(self, X):
        """Logarithm of ``predict_proba``, block by block.

        Parameters
        ----------
        X : dask array, dask dataframe or array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : dask array of shape (n_samples, n_classes)
        """
        return self._map_rows("predict_log_proba", X, len(self.classes_), np.float64)

    def decision_function(self, X, return_std=False):
        """The network's outputs, block by block (see ``LMWCClassifier.decision_function``).

        Parameters
        ----------
        X : dask array, dask dataframe or array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the outputs' posterior standard deviation, lazily, by the
            same blocks.

        Returns
        -------
        scores : dask array of shape (n_samples,) for binary problems, else
            (n_samples, n_outputs)
        std : dask array of the shape of ``scores``
            Only with ``return_std``.
        """
        if return_std:
            return self._map_rows_with_std("decision_function", X)
        return self._map_rows("decision_function", X,
                              None if self.n_outputs_ == 1 else self.n_outputs_, np.float64)
