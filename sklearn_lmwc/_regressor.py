"""LMWCRegressor."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import validate_data

from ._base import _DTYPES, BaseLMWC, _narrowest, fill_doc
from ._losses import SquaredError
from ._predictive import mixture
from ._targets import standardisation


@fill_doc
class LMWCRegressor(RegressorMixin, BaseLMWC):
    """Neural-network regressor trained by Levenberg-Marquardt with adaptable weight
    compression (Smith, Wu & Wilamowski, IEEE TNNLS 2019).

    Compact networks (for example a fully connected cascade of a few tanh neurons)
    trained by LM often stall when hidden neurons saturate. LM-WC detects the stall
    and rescales every hidden neuron's incoming weights so that its mean ``|net|``
    over the training set becomes ``omega``, which brings it back to the
    near-linear region of its activation.

    Targets are standardised (sample-weighted mean and standard deviation per
    output) for training and mapped back on prediction. Inputs are used as given:
    scale them (for example with ``StandardScaler`` in a ``Pipeline``).

    {defaults}

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    out_activation_ : str
        ``"identity"``.

    See Also
    --------
    LMWCClassifier : The classifier.
    sklearn.neural_network.MLPRegressor : First-order training of MLPs.

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lmwc import LMWCRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> y = np.sin(3 * X).ravel()
    >>> reg = LMWCRegressor(hidden_layer_sizes=(3,), topology="fcc", random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.99
    True
    """

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
                 random_state=None, verbose=0, warm_start=False):
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

    def _log_evidence_offset(self, weight_sum):
        # y = scale * standardised y: the density of each residual divided by scale
        return -weight_sum * float(np.log(self._y_scale).sum())

    def _layout_facts(self):
        return dict(output_offset=self._y_mean, output_scale=self._y_scale,
                    output_link="identity",
                    target_type="continuous" if self.n_outputs_ == 1
                    else "continuous-multioutput")

    def _validate_targets(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=True,
                             dtype=_DTYPES, accept_sparse="csr")
        if y.dtype.kind not in "biuf":  # y_numeric converts object arrays only
            raise ValueError(f"LMWCRegressor needs numeric targets, got y of dtype "
                             f"{y.dtype}; for class labels use LMWCClassifier.")
        return X, y

    def _encode_targets(self, y, sample_weight, reset):
        Y = y.reshape(y.shape[0], -1)
        if reset:
            self._y_mean, self._y_scale = standardisation(Y, sample_weight)
        return (Y - self._y_mean) / self._y_scale

    def _make_loss(self):
        return SquaredError()

    def _score_outputs(self, outputs, Y, sample_weight):
        return r2_score(Y, outputs, sample_weight=sample_weight)

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
            float32 data gives float32 weights and predictions (the computation
            runs in float64); a sparse X is densified a chunk of rows at a time.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the squared error.

        Returns
        -------
        self : LMWCRegressor
        """
        self._fit(X, y, sample_weight)
        self.out_activation_ = "identity"
        return self

    def predict(self, X, return_std=False, return_cov=False):
        """Predict with the fitted network, and optionally the predictive standard
        deviation or covariance, as ``GaussianProcessRegressor.predict``.

        The predictive distribution is the Laplace (Gauss-Newton) posterior's, to
        first order in the weights: the variance of a prediction is the noise
        variance ``1 / beta`` plus ``g^T A^-1 g``, g the output's derivative with
        respect to the weights and A their posterior precision ``beta (Q + D)`` at
        the fitted weights (Q the Gauss-Newton matrix, D the penalty's diagonal;
        MacKay 1992, Bishop 1995 section 10.6), in the targets' units. With
        ``alpha="bayes"``, beta is the evidence's estimate; with a fixed alpha it
        comes from the training residuals the same way,
        ``beta = (n - gamma) / SSE`` with gamma the effective number of parameters
        at the fitted weights. A committee (``committee_size``) gives the variance
        of the equal mixture of its members' distributions: their mean variance
        plus the spread of their means. The fit keeps each member's posterior factor
        (``laplace_posteriors_``, weights x weights floats) for networks of at most
        2000 weights; otherwise, or when the posterior precision is singular (an
        unpenalised fit, ``alpha=0``, of weights the data do not determine),
        asking for them raises a ValueError.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of the predictive distribution at
            each row.
        return_cov : bool, default=False
            Also return the covariance of the predictive distribution between the
            rows (per output). At most one of ``return_std`` and ``return_cov``.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Only with ``return_std``.
        y_cov : ndarray of shape (n_samples, n_samples) or \
                (n_samples, n_samples, n_outputs)
            Only with ``return_cov``.
        """
        if return_std and return_cov:
            raise RuntimeError("At most one of return_std or return_cov can be requested.")
        if not (return_std or return_cov):
            Y = self._predictions(self._forward(X))
            return Y.ravel() if self.n_outputs_ == 1 else Y
        X, moments = self._posterior_moments(X, cov=return_cov)
        noise = [posterior.noise_variance for posterior in self.laplace_posteriors_]
        # the weights' part is in units of the noise variance 1 / beta
        one = np.eye(X.shape[0])[..., None] if return_cov else 1.0
        variances = [n * (v + one) for (_, v), n in zip(moments, noise)]
        with np.errstate(all="ignore"):
            Z, variance = mixture([z for z, _ in moments], variances)
        Y = self._predictions(self._combined(X, [Z]))
        scale = self._y_scale ** 2 if return_cov else self._y_scale
        with np.errstate(over="ignore"):
            spread = (variance if return_cov else np.sqrt(variance)) * scale
        spread = spread.astype(Y.dtype, copy=False)
        if self.n_outputs_ == 1:
            return Y.ravel(), spread[..., 0] if return_cov else spread.ravel()
        return Y, spread

    def _predictions(self, Z):
        """Outputs decoded, in their dtype unless the decoding overflows it."""
        Y = self._decode(Z)
        return Y.astype(_narrowest(Z.dtype, [Y]), copy=False)

    def _decode(self, outputs):
        with np.errstate(over="ignore"):  # far extrapolation may overflow to +-inf
            return outputs * self._y_scale + self._y_mean

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
