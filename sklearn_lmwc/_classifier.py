"""LMWCClassifier."""

from numbers import Real

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp, softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import column_or_1d, validate_data

from ._base import _DTYPES, BaseLMWC, fill_doc
from ._losses import LogLoss, SquaredError
from ._predictive import mixture, moderated


def _pm1_proba(Z, multilabel):
    """Probabilities from outputs trained on +-1 indicators (``loss="squared_error"``).

    Such an output estimates ``2 P - 1``. Multilabel: ``clip((z + 1) / 2, eps, 1 - eps)``
    per label. Otherwise each row gets ``max(z_k + 1 - min(max_j z_j, 0), 0)``,
    normalised; a binary output z counts as the two outputs ``(-z, z)``, which gives
    ``P(positive) = clip((z + 1) / 2, 0, 1)``. The shift (only when every output is
    negative) keeps the top output's mass positive, so rows always sum to 1 and
    their argmax is the argmax of the outputs.
    """
    if multilabel:
        # strictly inside (0, 1), as a probability of each label must be
        eps = np.finfo(Z.dtype).eps
        return np.clip((Z + 1.0) / 2.0, eps, 1.0 - eps)
    if Z.shape[1] == 1:
        Z = np.hstack([-Z, Z])
    # (z - shift) + 1, not (z + 1) - shift: the top mass stays 1 when |z| >> 1
    mass = np.maximum(Z - np.minimum(Z.max(axis=1, keepdims=True), 0.0) + 1.0, 0.0)
    mass /= mass.max(axis=1, keepdims=True)  # the top mass is >= 1; the sum cannot overflow
    return mass / mass.sum(axis=1, keepdims=True)


@fill_doc
class LMWCClassifier(ClassifierMixin, BaseLMWC):
    """Neural-network classifier trained by Levenberg-Marquardt with adaptable weight
    compression (Smith, Wu & Wilamowski, IEEE TNNLS 2019).

    Binary, multiclass and multilabel targets; labels of any type. The network's
    outputs are linear: logits with ``loss="log_loss"``, or direct estimates of
    +-1 class indicators with ``loss="squared_error"`` (the paper's setting).
    Binary problems use one output, multiclass one per class, multilabel one per
    label. Compression and restarts act on the hidden neurons exactly as for
    :class:`LMWCRegressor`.

    Inputs are used as given: scale them (for example with ``StandardScaler`` in a
    ``Pipeline``).

    {defaults}

    Parameters
    ----------
    {parameters}

    loss : {{"log_loss", "squared_error"}}, default="log_loss"
        ``"log_loss"``: cross-entropy of softmax (multiclass) or logistic (binary,
        multilabel) outputs, minimised by LM on the generalised Gauss-Newton matrix
        ``sum_p J_p^T H_p J_p`` (``H_p`` the Hessian of the loss in the logits); the
        LM accept test and ``goal`` use the mean log-loss (plus the L2 term).
        ``"squared_error"``: the paper's setting; the outputs are fitted to +1 for
        the sample's class (label) and -1 otherwise, ``goal`` is the RMSE on these
        targets. Its outputs estimate ``2 P(class) - 1``, so ``predict_proba`` maps
        output ``z_k`` to ``max(z_k + 1 - min(max_j z_j, 0), 0)`` and normalises
        each row: for binary problems (one output ``z``) this is
        ``P(positive) = clip((z + 1) / 2, 0, 1)``; for multilabel each label
        gets ``clip((z + 1) / 2, eps, 1 - eps)`` (eps the resolution of the
        dtype). The shift acts only when every output
        is negative, so the top class always keeps a positive probability and
        ``predict_proba`` agrees with ``predict``. These probabilities saturate at
        0 and 1, so their log-loss can be very large on misclassified samples.

    moderation : {{"probit"}} or None, default=None
        How the weights' uncertainty enters the probabilities (``loss="log_loss"``;
        with ``"squared_error"`` it is ignored). ``"probit"``: each logit z is
        moderated by its variance v under the Laplace posterior of the weights
        (see ``decision_function``), ``z / sqrt(1 + pi v / 8)``, MacKay's probit
        approximation of the posterior predictive probability for logistic
        outputs and its mean-field analogue for softmax outputs (Lu, Ie & Sha
        2020): probabilities far from the training data move towards 1/2 (or
        uniform). ``predict``, ``decision_function`` and ``predict_proba`` then
        agree on the moderated logits. One network's binary or multilabel
        predictions keep their sign; a multiclass one, or a committee's (whose
        moderated probabilities are averaged), can change. Each prediction costs a Jacobian pass
        and a triangular solve (weights x weights) per committee member. Without a
        posterior (see ``laplace_posteriors_``) the logits are used as they are.
        None: the logits of the fitted weights (the plug-in estimate). The
        default was chosen on ``benchmarks/uncertainty.py`` (the benchmarks
        page). It acts at prediction time: ``set_params(moderation=...)`` on a
        fitted model changes its probabilities without refitting (every other
        parameter acts at fit time only).

    class_weight : dict, list of dict, "balanced" or None, default=None
        Weights of the classes, as scikit-learn's classifiers take them: each
        sample's weight in the loss is its ``sample_weight`` (1 if not given)
        times its class's weight. None: every class weighs 1. ``"balanced"``:
        ``n_samples / (n_classes * np.bincount(y))`` over the y given to ``fit``,
        the counts weighted by ``sample_weight`` when it is given (as
        ``LogisticRegression``: ``compute_class_weight(..., sample_weight=...)``;
        ``HistGradientBoostingClassifier`` and ``RandomForestClassifier`` count
        rows), so that an integer sample weight stays that many copies of the row.
        A dict maps class labels to weights (a class not in it weighs 1); a label
        that is not among y's classes raises a ValueError. Multilabel y: a list of
        one dict per label, each mapping 0 and 1 to weights, or ``"balanced"``
        (per label, the weights of a row multiplied), as for
        ``RandomForestClassifier``. The weights are computed once, on the whole of
        y, before anything else sees the data: they weigh the loss for every
        ``loss`` and ``solver``, the validation score of ``early_stopping`` (the
        held-out rows keep their weights), the evidence, its ``alpha_`` and
        ``log_evidence_`` and so the ranking of the trials and the committee. An
        integer weight is that many copies of the class's rows (user guide,
        "Imbalanced classes"): the probabilities are those of the reweighted
        problem, whose prior over the classes is reweighted too, not calibrated
        to the class frequencies of the data.

    Attributes
    ----------
    {attributes}

    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel, ``arange(n_labels)``).

    out_activation_ : str
        How outputs become probabilities: ``"softmax"`` (multiclass log-loss),
        ``"logistic"`` (binary or multilabel log-loss) or ``"identity"``
        (``loss="squared_error"``, see ``loss``).

    See Also
    --------
    LMWCRegressor : The regressor.
    sklearn.neural_network.MLPClassifier : First-order training of MLPs.

    References
    ----------
    {references}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_lmwc import LMWCClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     LMWCClassifier(hidden_layer_sizes=(5,), random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    """

    _parameter_constraints = {
        **BaseLMWC._parameter_constraints,
        "loss": [StrOptions({"log_loss", "squared_error"})],
        "moderation": [StrOptions({"probit"}), None],
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(self, hidden_layer_sizes=(10,), topology="bmlp", activation="tanh", gain=1.0,
                 solver="lm", compression="adaptive", trigger="stall", beta=1e-4,
                 interval=None, omega=0.1, rho=1.1, net_statistic="mean", mu=1e-3,
                 mu_factor=10.0, mu_min=1e-15, mu_max=1e15, learning_rate_init=0.001,
                 learning_rate="constant", power_t=0.5, decay_rate=0.5, decay_steps=100,
                 momentum=0.9, nesterovs_momentum=True, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, batch_size="auto", shuffle=True, max_grad_norm=None,
                 max_iter=200, goal=0.0,
                 tol=1e-4, alpha="auto", weight_groups="single", prune_ratio=1e4,
                 init="uniform", n_init="auto",
                 committee_size="auto", early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, n_jobs=None,
                 random_state=None, verbose=0, warm_start=False, loss="log_loss",
                 moderation=None, class_weight=None):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, topology=topology, activation=activation,
            gain=gain, solver=solver, compression=compression, trigger=trigger, beta=beta,
            interval=interval, omega=omega, rho=rho, net_statistic=net_statistic, mu=mu,
            mu_factor=mu_factor, mu_min=mu_min, mu_max=mu_max,
            learning_rate_init=learning_rate_init, learning_rate=learning_rate,
            power_t=power_t, decay_rate=decay_rate, decay_steps=decay_steps,
            momentum=momentum, nesterovs_momentum=nesterovs_momentum, beta_1=beta_1,
            beta_2=beta_2, epsilon=epsilon, batch_size=batch_size, shuffle=shuffle,
            max_grad_norm=max_grad_norm, max_iter=max_iter, goal=goal,
            tol=tol, alpha=alpha, weight_groups=weight_groups,
            prune_ratio=prune_ratio, init=init, n_init=n_init,
            committee_size=committee_size, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            n_jobs=n_jobs, random_state=random_state, verbose=verbose,
            warm_start=warm_start)
        self.loss = loss
        self.moderation = moderation
        self.class_weight = class_weight

    # ---- BaseLMWC hooks ------------------------------------------------------------
    def _layout_facts(self):
        # the fitted state, not self.loss, which set_params can change
        return dict(output_link=self.out_activation_,
                    target_type=self._label_binarizer.y_type_)

    def _validate_targets(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, dtype=_DTYPES,
                             accept_sparse="csr")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return X, y

    def _encode_targets(self, y, sample_weight, reset):
        if reset:
            binarizer = LabelBinarizer().fit(y)
            if binarizer.y_type_ != "multilabel-indicator" and len(binarizer.classes_) < 2:
                raise ValueError("LMWCClassifier needs samples of at least 2 classes in "
                                 f"the data, but the data contain only one class: "
                                 f"{binarizer.classes_[0]!r}.")
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        else:  # warm start: the network's outputs are tied to the fitted classes
            if self._multilabel() != (y.ndim == 2):
                raise ValueError("warm_start: y's type differs from the fitted one.")
            classes = unique_labels(y)
            if not self._multilabel() and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start can only be used where y has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, y has "
                    f"{classes}.")
        Y = self._label_binarizer.transform(y).astype(np.float64)
        return 2.0 * Y - 1.0 if self.loss == "squared_error" else Y

    def _prepare_data(self, X, y, sample_weight, reset):
        X, y, Y, sample_weight = super()._prepare_data(X, y, sample_weight, reset)
        return X, y, Y, self._class_weighted(y, sample_weight)

    def _class_weighted(self, y, sample_weight):
        """``sample_weight`` (None: ones) times each row's class weight
        (``class_weight``), computed on the whole of the validated y; None without
        sample weights when every class weighs 1 (``class_weight=None``, or
        ``"balanced"`` on balanced classes)."""
        if self.class_weight is None:
            return sample_weight
        if y.ndim == 1:
            classes, inverse = np.unique(y, return_inverse=True)
            counts = np.bincount(inverse, weights=sample_weight, minlength=len(classes))
            rows = self._weights_of_classes(classes, counts)[inverse]
        else:
            if isinstance(self.class_weight, dict):
                raise ValueError("For multilabel y, class_weight is a list of one dict "
                                 "per label (mapping 0 and 1 to weights) or "
                                 "'balanced', got a dict.")
            if isinstance(self.class_weight, list) and len(self.class_weight) != y.shape[1]:
                raise ValueError(f"class_weight has {len(self.class_weight)} dicts for "
                                 f"{y.shape[1]} labels: give one per label.")
            class_weights = (self.class_weight if isinstance(self.class_weight, list)
                             else [self.class_weight] * y.shape[1])
            rows = np.ones(y.shape[0])
            for k, (column, class_weight) in enumerate(zip(y.T, class_weights)):
                classes, inverse = np.unique(column, return_inverse=True)
                counts = np.bincount(inverse, weights=sample_weight,
                                     minlength=len(classes))
                rows *= self._class_weights(class_weight, classes, counts,
                                            f" (label {k})", labels=(0, 1))[inverse]
        if sample_weight is None and np.all(rows == 1.0):
            return None  # no weights (balanced classes): the unweighted fit, bit for bit
        if sample_weight is not None:
            rows *= sample_weight
        self._check_weight_sum(rows.sum())
        return rows

    @staticmethod
    def _check_weight_sum(total):
        """A clear error when class and sample weights sum (``total``) to no weight
        at all. The Dask classifier's too."""
        if not total > 0:
            raise ValueError("class_weight and sample_weight give every sample a weight "
                             "of 0.")

    def _weights_of_classes(self, classes, counts):
        """For one label per sample: the weight of each class (``classes`` sorted,
        ``counts`` their summed sample weights, or numbers of rows). The Dask
        classifier's too."""
        if isinstance(self.class_weight, list):
            raise ValueError("class_weight as a list (one dict per label) is for "
                             "multilabel y; for one label per sample give a dict or "
                             "'balanced'.")
        return self._class_weights(self.class_weight, classes, np.asarray(counts))

    @staticmethod
    def _class_weights(class_weight, classes, counts, where="", labels=()):
        """One weight per class of ``classes`` (sorted, ``counts`` their summed sample
        weights): ``compute_class_weight``'s with ``sample_weight``, a dict's labels
        checked (those of ``classes``, and ``labels``: a multilabel column's 0 and 1)."""
        if isinstance(class_weight, str) and class_weight == "balanced":
            # compute_class_weight's; a class of zero summed weight has no row that
            # its weight could multiply
            with np.errstate(divide="ignore"):
                weights = counts.sum() / (len(classes) * counts.astype(np.float64))
            return np.where(counts > 0, weights, 0.0)
        if not isinstance(class_weight, dict):
            raise ValueError(f"class_weight{where} must be a dict or 'balanced', got "
                             f"{class_weight!r}.")
        known = set(classes.tolist()) | set(labels)
        unknown = [label for label in class_weight if label not in known]
        if unknown:
            raise ValueError(f"class_weight{where} has labels that are not classes of "
                             f"y: {unknown}; y's classes are {classes.tolist()}.")
        for label, weight in class_weight.items():
            if (isinstance(weight, bool) or not isinstance(weight, Real)
                    or not (np.isfinite(weight) and weight >= 0)):
                raise ValueError(f"class_weight{where} must map labels to finite "
                                 f"non-negative numbers, got {weight!r} for {label!r}.")
        return np.array([class_weight.get(c, 1.0) for c in classes.tolist()],
                        dtype=np.float64)

    def _multiclass(self):
        return self._label_binarizer.y_type_ == "multiclass"

    def _multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    def _combine(self, outputs):
        """A committee's outputs: with log-loss, the logits of its members' averaged
        probabilities (so that ``predict_proba`` is their average, and ``predict``
        and ``decision_function`` agree with it); with squared error, the mean of the
        +-1 estimates."""
        if self.out_activation_ == "identity":  # the fitted state, not self.loss
            return np.mean(outputs, axis=0)
        Z, log_k = np.stack(outputs), np.log(len(outputs))
        if self._multiclass():  # log of the mean probability: softmax gives it back
            return logsumexp(log_softmax(Z, axis=-1), axis=0) - log_k
        # per output: log p - log (1 - p) of the mean p
        return (logsumexp(log_expit(Z), axis=0) - logsumexp(log_expit(-Z), axis=0))

    def _make_loss(self):
        if self.loss == "squared_error":
            return SquaredError()
        return LogLoss("softmax" if self._multiclass() else "logistic")

    def _score_outputs(self, outputs, Y, sample_weight):
        """Accuracy (subset accuracy for multilabel) of outputs against encoded targets."""
        if self._multiclass():
            correct = outputs.argmax(axis=1) == Y.argmax(axis=1)
        else:  # the positive side is output > 0 for logits and +-1 outputs alike
            correct = np.all((outputs > 0) == (Y > 0), axis=1)
        return float(np.average(correct, weights=sample_weight))

    # ---- fit / predict -------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to X and y.

        Ctrl-C (KeyboardInterrupt) ends training with a UserWarning and keeps the best
        weights found so far: with ``n_init`` > 1 it ends the running trial and the next
        ones run, or, when trials run together (see ``n_init``), every trial under way,
        and the others do not start. An error leaves the estimator as it was before the
        call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            float32 data gives float32 weights and outputs (the computation runs
            in float64); a sparse X is densified a chunk of rows at a time.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 2-D indicator matrix for multilabel classification.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss, multiplied by their classes'
            weights (``class_weight``).

        Returns
        -------
        self : LMWCClassifier
        """
        self._fit(X, y, sample_weight)
        if self.loss == "squared_error":
            self.out_activation_ = "identity"
        else:
            self.out_activation_ = "softmax" if self._multiclass() else "logistic"
        return self

    # predictions read the fitted state (out_activation_), never self.loss, which
    # set_params can change after fit
    def _shift_invariant(self):
        return self.out_activation_ == "softmax"

    def _moderating(self):
        return (self.moderation is not None and self.out_activation_ != "identity"
                and self._has_posterior())

    def _forward(self, X):
        if not self._moderating():
            return super()._forward(X)
        X, moments = self._posterior_moments(X)
        return self._combined(X, [moderated(Z, V) for Z, V in moments])

    def decision_function(self, X, return_std=False):
        """The network's outputs: logits (``loss="log_loss"``, moderated as
        ``moderation`` says) or +-1 estimates; optionally their posterior standard
        deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of each output under the Laplace
            posterior of the weights (``LMWCRegressor.predict`` explains it; no
            noise term): for log-loss, of the logits before moderation, and for
            multiclass (softmax) of the logits minus their mean, as softmax
            ignores a common shift of the logits, which the data cannot determine.
            With a committee, of the equal mixture of its members' distributions.

        Returns
        -------
        scores : ndarray of shape (n_samples,) for binary problems, else
            (n_samples, n_outputs)
            Positive scores favour ``classes_[1]`` in the binary case.
        std : ndarray of the shape of ``scores``
            Only with ``return_std``.
        """
        if not return_std:
            return self._shaped(self._forward(X))
        X, moments = self._posterior_moments(X)
        with np.errstate(all="ignore"):
            _, variance = mixture([Z for Z, _ in moments], [V for _, V in moments])
        moderating = self._moderating()
        scores = self._combined(X, [moderated(Z, V) if moderating else Z
                                    for Z, V in moments])
        return self._shaped(scores), self._shaped(np.sqrt(variance).astype(scores.dtype))

    def _shaped(self, Z):
        return Z.ravel() if Z.shape[1] == 1 and not self._multilabel() else Z

    def predict(self, X):
        """Predict class labels (an indicator matrix for multilabel).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        # output > 0 is p > 0.5 for logits and the positive side for +-1 outputs;
        # multiclass takes the argmax
        Z = self._forward(X)
        return self._label_binarizer.inverse_transform(Z, threshold=0.0)

    def predict_proba(self, X):
        """Probability estimates (see ``loss`` for ``"squared_error"``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; for multilabel, the probability
            of each label.
        """
        # outputs overflowed to +-inf (inputs near the float limit) get a limit far
        # enough below the dtype's (1e300 in float64) that differences of them stay finite
        Z = self._forward(X)
        limit = 1e-8 * np.finfo(Z.dtype).max
        Z = np.clip(Z, -limit, limit)
        if self.out_activation_ == "identity":  # loss="squared_error"'s +-1 outputs
            return _pm1_proba(Z, self._multilabel())
        if self.out_activation_ == "softmax":
            return softmax(Z, axis=1)
        if self._multilabel():
            return expit(Z)
        return np.hstack([expit(-Z), expit(Z)])

    def predict_log_proba(self, X):
        """Logarithm of ``predict_proba``: ``np.log(predict_proba(X))``, as in
        scikit-learn's classifiers, so a probability that rounds to 0 gives ``-inf``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
