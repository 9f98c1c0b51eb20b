"""LMWCRegressor."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import validate_data

from ._base import BaseLMWC, fill_doc
from ._losses import SquaredError


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
    J. G. Smith, S. Wu, B. M. Wilamowski, "Neural Network Training With
    Levenberg-Marquardt and Adaptable Weight Compression", IEEE Transactions on
    Neural Networks and Learning Systems 30(2), 580-587, 2019.

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

    def _validate_targets(self, X, y, reset):
        X, y = validate_data(self, X, y, reset=reset, multi_output=True, y_numeric=True,
                             dtype=np.float64)
        return X, y

    def _encode_targets(self, y, sample_weight, reset):
        Y = y.reshape(y.shape[0], -1)
        if reset:
            mean = np.average(Y, axis=0, weights=sample_weight)
            std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=sample_weight))
            # a constant target keeps its scale rather than dividing by ~0
            self._y_mean = mean
            self._y_scale = np.where(std > 1e-12 * np.maximum(np.abs(mean), 1.0), std, 1.0)
        return (Y - self._y_mean) / self._y_scale

    def _make_loss(self):
        return SquaredError()

    def _score_outputs(self, outputs, Y, sample_weight):
        return r2_score(Y, outputs, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to X and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
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

    def predict(self, X):
        """Predict with the fitted network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        Y = self._forward(X) * self._y_scale + self._y_mean
        return Y.ravel() if self.n_outputs_ == 1 else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
