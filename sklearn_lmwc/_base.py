"""The scikit-learn face shared by LMWCRegressor and LMWCClassifier.

Parameters and their validation, the data (validation split, dtypes), the call to
the trials (``_trials``) and the fitted attributes made from the kept one.
Knows nothing of Jacobians, solvers' iterations or the prior's estimates.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._activations import ACTIVATIONS
from ._costs import plan
from ._init import INITS
from ._layout import describe
from ._network import NET_STATISTICS, TOPOLOGIES, Network
from ._loop import INTERRUPTED, MAX_ITER
from ._objective import Objective
from ._options import fit_options
from . import _predictive
from ._predictive import laplace_posteriors, output_moments
from ._solvers import SOLVERS
from ._trials import Setting, init_results, ranked_trials, run_trials, served_together

# a feature whose root mean square exceeds this is taken as unscaled
_UNSCALED = 10.0
# input dtypes kept as they are (others are converted to the first)
_DTYPES = (np.float64, np.float32)
# rows predicted at once: a sparse X is densified one such chunk at a time
_PREDICT_ROWS = 4096

_PARAMETERS_DOC = """\
hidden_layer_sizes : array-like of int, default=(10,)
        Neurons per hidden layer. For ``topology="fcc"`` only their sum matters: the
        length of the cascade.

    topology : {"mlp", "bmlp", "fcc"}, default="bmlp"
        ``"mlp"``: each layer sees the previous one. ``"bmlp"`` (bridged MLP): each
        layer, the output layer included, sees the inputs and every earlier layer.
        ``"fcc"`` (fully connected cascade): a bridged network of one neuron per
        hidden layer.

    activation : {"tanh", "logistic", "identity", "relu", "elu", "selu", \
"leaky_relu", "softplus"}, default="tanh"
        Hidden activation, applied to ``gain * net``. Outputs are linear.
        ``"elu"``: ``z`` above 0, ``exp(z) - 1`` below; ``"selu"``: ELU scaled as
        Klambauer et al. (2017), ``1.0507 z`` above 0 and ``1.0507 * 1.6733 (exp(z) -
        1)`` below, self-normalising with ``init="lecun"`` (its pairing) and
        standardised inputs; ``"leaky_relu"``: ``z`` above 0, ``0.01 z`` below;
        ``"softplus"``: ``log(1 + exp(z))``. Every activation serves every solver.
        A hidden activation is flat (``saturation_curve_``, and what compression
        undoes) where its slope is below a tenth of its largest: for the unbounded
        ones only on the side where it vanishes, ``z`` below about ``log 0.1 = -2.3``
        for elu, selu and softplus and every ``z < 0`` for relu and leaky_relu (whose
        0.01 is a hundredth of its slope above 0).

    gain : float, default=1.0
        Slope multiplier of the hidden activations.

    solver : {"lm", "scipy", "ebp", "sgd", "adam", "rmsprop"}, default="lm"
        ``"lm"``: the built-in Levenberg-Marquardt. First-order solvers (user
        guide, "First-order solvers"), an iteration being an epoch: ``"ebp"``, the
        authors' error backpropagation, full-batch gradient descent with momentum
        on the summed objective (its step ``-learning_rate_init * g`` does not
        divide by the number of samples, as in the paper, so the rate depends on
        it); ``"sgd"``, stochastic gradient descent with momentum (Nesterov's with
        ``nesterovs_momentum``); ``"adam"``; ``"rmsprop"``. These three follow the
        gradient of the mean loss over each mini-batch of ``batch_size`` samples,
        plus the penalty's share, as scikit-learn's MLP. They train with a fixed
        ``alpha`` (``"auto"`` is 0.0; ``"bayes"`` raises a ValueError) and one trial
        by default; compression, restarts, ``goal``, ``tol``, early stopping,
        ``n_init`` and ``sample_weight`` act as with LM, between epochs, where the
        stall trigger measures the change over 200 epochs (see ``beta``). After a
        compression or restart the rule's state (velocity, moments) is reset, so
        that the next step is a plain gradient step. An epoch whose weights or loss
        overflow is undone. ``"scipy"``:
        ``scipy.optimize.least_squares(method="lm")`` (MINPACK) with the analytic
        Jacobian; squared error only (``loss="log_loss"`` raises a ValueError). An
        iteration is then one MINPACK iteration: a ``least_squares`` call from the
        current weights, ended at its first accepted step (one Jacobian, up to 30
        trial steps damped by MINPACK's trust region, which each call restarts).
        ``mu*`` apply only to the step after a compression or restart, taken
        unconditionally with damping ``mu`` as by the built-in solver.
        Compression, restarts, ``goal``, ``tol`` and ``max_iter`` act between
        these calls as between built-in iterations. It holds the whole Jacobian
        (samples x outputs x weights) in memory, where the built-in solver
        accumulates it in chunks. With fewer residuals (samples x outputs, plus
        the penalised weights if ``alpha`` is not 0) than weights, which MINPACK
        cannot handle, ``method="trf"`` is used instead, with a UserWarning. On
        rank-deficient Jacobians (saturated neurons) scipy's MINPACK is not
        bit-for-bit reproducible, whatever ``random_state``.

    compression : {"adaptive", "restart"} or None, default="adaptive"
        What to do when training stalls: ``"adaptive"`` weight compression (LM-WC),
        random ``"restart"`` (LM-RR), or nothing (plain LM).

    trigger : {"stall", "interval"}, default="stall"
        When the compression policy acts: when the relative change of the
        training error over one iteration (over 200 epochs with a first-order
        solver) is at most ``beta``, or every ``interval`` iterations.

    beta : float, default=1e-4
        Stall threshold of ``trigger="stall"``. First-order solvers compare the
        error with its value 200 epochs before (and wait 200 epochs after each
        event): their steps are small, and over one epoch the threshold is met
        on most epochs (25% to 93% of them at 1e-3, measured in
        ``benchmarks/first_order_trigger.py``), which compresses nearly every
        epoch, as the authors' EBP-WC did.

    interval : int, default=None
        Iterations between policy actions for ``trigger="interval"`` (required there).

    omega : float, default=0.1
        Initial target mean ``|gain * net|`` of every hidden neuron after compression.

    rho : float, default=1.1
        ``omega`` is multiplied by ``rho`` after an improvement since the previous
        compression and divided by it otherwise (the best weights are then restored
        before compressing).

    net_statistic : {"mean", "authors"}, default="mean"
        The per-neuron statistic that compression brings to ``omega / gain``:
        ``"mean"``, the mean ``|net|`` over the training set (the paper's), or
        ``"authors"``, the sum of ``|partial net|`` over the neuron's inputs, bias
        first, as the authors' MATLAB code computes it (larger on wide fan-in, so it
        compresses harder). Over the nine benchmark settings of
        ``benchmarks/paper.py`` (100 seeds each) ``"mean"`` succeeded in 513 trials
        and ``"authors"`` in 464: ``"mean"`` wins on full parity, ``"authors"`` on the
        two spirals and peaks.

    mu : float, default=1e-3
        Initial LM damping, and its value after every compression or restart.
        Only used when ``solver="lm"`` or ``"scipy"``, as ``mu_factor``,
        ``mu_min`` and ``mu_max``.

    mu_factor : float, default=10.0
        Damping is divided by it after an accepted step and multiplied by it after a
        rejected one.

    mu_min, mu_max : float, default=1e-15, 1e15
        Bounds of the damping.

    learning_rate_init : float, default=0.001
        The initial learning rate of the first-order solvers. Only used when
        ``solver`` is ``"ebp"``, ``"sgd"``, ``"adam"`` or ``"rmsprop"``, as the
        parameters down to ``max_grad_norm``.

    learning_rate : {"constant", "invscaling", "adaptive", "step", \
"exponential"}, default="constant"
        The learning rate of epoch ``t`` (0 for the first): ``"constant"``,
        ``learning_rate_init``; ``"invscaling"``, ``learning_rate_init / (t +
        1) ** power_t`` (scikit-learn's MLP counts samples, not epochs);
        ``"adaptive"``, ``learning_rate_init`` divided by 5 each time
        ``n_iter_no_change + 1`` epochs in a row fail to lower the training loss
        by more than ``tol`` (by anything when ``tol`` is None); while it is
        above 1e-6 the ``tol`` rule does not end the fit, as in scikit-learn's
        MLP; ``"step"``, ``learning_rate_init * decay_rate ** floor(t /
        decay_steps)``; ``"exponential"``, ``learning_rate_init * decay_rate **
        (t / decay_steps)`` (the ``staircase`` and smooth forms of Keras's
        ``ExponentialDecay``). Unlike scikit-learn's MLP, every schedule applies
        to every first-order solver.

    power_t : float, default=0.5
        The exponent of ``learning_rate="invscaling"``.

    decay_rate : float, default=0.5
        The factor of ``learning_rate="step"`` and ``"exponential"`` per
        ``decay_steps`` epochs, in (0, 1].

    decay_steps : int, default=100
        The epochs over which ``decay_rate`` applies once.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"`` and ``"ebp"``, in [0, 1]; the authors'
        EBP used 0.5 (and 0 with compression).

    nesterovs_momentum : bool, default=True
        Whether ``solver="sgd"`` uses Nesterov's momentum (``"ebp"`` never
        does).

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of the second-moment estimate of Adam and of RMSprop's mean square
        (Keras's ``rho``), in [0, 1).

    epsilon : float, default=1e-8
        Added to the root mean square of Adam and RMSprop.

    batch_size : int or "auto", default="auto"
        Samples per mini-batch of ``"sgd"``, ``"adam"`` and ``"rmsprop"``
        (``"auto"``: ``min(200, n_samples)``, as scikit-learn's MLP); a batch of
        every sample is the full batch. ``"ebp"`` always takes the full batch.

    shuffle : bool, default=True
        Whether the samples are shuffled every epoch (with ``random_state``)
        before being cut into mini-batches.

    max_grad_norm : float or None, default=None
        Clip the gradient a first-order step follows (per mini-batch, after the
        division by its sample weights) to this L2 norm; None does not clip.

    max_iter : int, default=200
        Maximum number of iterations: LM iterations (one Jacobian each), or
        epochs of a first-order solver.

    goal : float, default=0.0
        Stop as soon as the training loss reaches it: for regression the RMSE of
        the standardised targets (``goal=0.1`` is 10% of the targets' standard
        deviation); for classification the mean log-loss, or the RMSE of the
        +-1 targets with ``loss="squared_error"``. With 0, only an exact fit (the
        same metric at 1e-12) ends training this way.

    tol : float or None, default=1e-4
        The stopping rule, as scikit-learn's MLP applies it per epoch, here per LM
        iteration: an iteration improves when the training loss (``loss_``'s
        definition, with the penalty; minus the validation score with
        ``early_stopping``) is below the best so far by more than ``tol``, and
        training stops after ``n_iter_no_change + 1`` iterations in a row without
        improvement. Compressions and restarts do not pause the count: a converged
        fit stops within ``n_iter_no_change + 1`` iterations of its last
        improvement whatever the compression policy does, and a compression is kept
        going only when it leads to an improvement within that many iterations.
        Stopping by this rule gives no ``ConvergenceWarning``. None disables the
        rule (the paper's setting: training then stops at ``goal``, at an exact fit
        or at ``max_iter``).

    alpha : float, "bayes" or "auto", default="auto"
        ``"auto"``: ``"bayes"``, or 0.0 when a ``goal`` is set (a target for the
        training error asks for a fit of the training data, which a penalty works
        against: the paper's setting) or the solver is first-order (which trains
        with a fixed alpha). A float: the L2 penalty
        ``0.5 * alpha * ||W||^2`` added to the summed training loss; biases are not
        penalised. ``"bayes"``: Bayesian regularisation (MacKay's
        evidence approximation in the Gauss-Newton form of Foresee & Hagan, as
        MATLAB's ``trainbr``): after every accepted LM step the effective number of
        parameters ``gamma = N_w - a * tr((b Q + a I)^-1)`` (over the ``N_w``
        penalised weights; Q the Gauss-Newton matrix of the summed loss) gives the
        weights' precision ``a = gamma / ||W||^2`` and, for squared error, the noise
        precision ``b = (n - gamma) / SSE`` (n: summed sample weights times
        outputs, so weights count as repetitions); for log-loss ``b = 1``. LM then
        minimises the loss with ``alpha = a / b`` (``alpha_``). It starts from a
        weak prior, ``alpha = 1e-3`` (a warm start from ``alpha_``). With
        ``solver="scipy"`` the estimate follows every accepted ``least_squares``
        segment, from a Gauss-Newton matrix computed for it (MINPACK keeps its
        own factorisation).

    weight_groups : {"single", "layers", "ard"}, default="single"
        The hyperparameters of ``alpha="bayes"``: ``"single"``, one alpha over
        every weight but the biases (which are not penalised); ``"layers"``, one
        alpha per group of weights as in Netlab: the weights from the inputs (into
        every layer that sees them), between hidden layers, from the hidden layers
        into the outputs, and the biases; ``"ard"`` (automatic relevance
        determination), one alpha per input feature (the weights leaving it), and
        the other groups as for ``"layers"``: ``input_relevance_`` then tells which
        inputs the fit uses. Each group's effective number of parameters comes from
        the same factorisation. Other than ``"single"`` needs ``alpha="bayes"``.

    init : {"uniform", "nguyen-widrow", "glorot", "he", "lecun"}, default="uniform"
        Weight initialisation; ``"uniform"`` is the paper's U[-1, 1]. ``"lecun"``
        (normal, variance ``1 / fan_in``, zero biases) is ``"selu"``'s pairing.

    n_init : int or "auto", default="auto"
        Independent trials from different random starts. ``"auto"``: 5 with a
        Bayesian penalty (``alpha="bayes"``, the default of LM without a ``goal``;
        so never for a first-order solver) on a
        small problem (samples x outputs x weights^2 below 1e8, where trials of the
        built-in solver also run together), else 1 (the paper's setting, each fit
        one random start; and large problems, where 5 trials would cost 5 times
        one); chosen on
        ``benchmarks/real_data.py``, where 5 trials in a committee were the best or
        within 0.01 of the best other model on 21 of 26 sets against 12 for one trial,
        at 1.65 times the MLP's median fit time (the benchmarks page). The best is kept: the
        best validation score with ``early_stopping``, else the highest log
        evidence with ``alpha="bayes"`` (``log_evidence_``: with a data-fitted
        penalty the lowest training loss is the most overfitted trial), else the
        lowest training loss (the paper's setting). With the
        built-in solver, trials of small networks run together, their arrays
        stacked, so that many cost little more than one: when an iteration's J^T J
        is small (samples x outputs x weights^2 below 1e8) and the damped system is
        solved in the weights' space (the cost model solves it in the residuals'
        space when that is cheaper, as for many more weights than samples x
        outputs); the Dask estimators run them one by one. Each still takes the path
        it takes alone. ``init_results_`` describes every trial.

    committee_size : int or "auto", default="auto"
        Predict with a committee: the average of the predictions (the
        classifier's probabilities) of the ``committee_size`` best trials, in the
        order ``n_init`` keeps them (highest evidence first with
        ``alpha="bayes"``). ``"auto"``: every trial when ``n_init="auto"`` gives a
        committee (above), else 1. At most ``n_init``; a warm start continues the
        best trial alone. ``coefs_`` and ``intercepts_`` are the best trial's;
        every member's are in ``committee_coefs_`` and ``committee_intercepts_``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, score it after every
        iteration, stop by the ``tol`` rule on that score and keep the weights that
        scored best.

    validation_fraction : float, default=0.1
        Share of the training data held out with ``early_stopping``.

    n_iter_no_change : int, default=10
        Rounds without improvement allowed by the ``tol`` rule.

    n_jobs : int, default=None
        Trials run in parallel with joblib (trials run together: one batch per
        worker). None means 1 unless in a ``joblib.parallel_config`` context; -1
        means all processors. Within a trial, passes over large data are split
        among the threads BLAS may use (see the user guide, "Threads").

    random_state : int, RandomState instance or None, default=None
        Draws the initial weights, the restarts, the trials' seeds and the
        validation split. Pass an int for reproducible results.

    verbose : int, default=0
        1: print a line per trial when it ends (with ``n_init`` > 1) and a summary
        of the kept one (loss, iterations, compressions, why it stopped, seconds).
        2: also a line per iteration with the loss and the damping ``mu``, and a
        marked line at every compression (with ``omega``) or restart. Lines of
        trials are prefixed by their number, so that trials run in parallel
        (``n_jobs``) can be told apart.

    warm_start : bool, default=False
        Start from the fitted weights of the previous call to ``fit`` (one trial)."""

_ATTRIBUTES_DOC = """\
coefs_ : list of ndarray
        ``coefs_[i]`` has shape ``(fan_in, n_neurons)``: the incoming weights of layer
        i, output layer last. In bridged topologies a layer's fan-in is the inputs
        followed by every earlier hidden layer, in order.

    intercepts_ : list of ndarray
        The biases of every layer.

    n_iter_ : int
        LM iterations run by the kept trial (``least_squares`` calls with
        ``solver="scipy"``, epochs with a first-order solver).

    loss_ : float
        Training loss of the returned weights, per sample: the mean squared error
        per output (regression: of the standardised targets; classification with
        ``loss="squared_error"``: of the +-1 targets) or the mean log-loss, plus
        the penalty ``0.5 * alpha_ * ||W||^2`` divided by the summed sample
        weights (and, for squared error, by the outputs and times 2). ``goal`` is
        compared with its square root for squared error, with itself for log-loss.

    loss_curve_ : list of float
        The training loss after every iteration, and after every compression or
        restart (``events_``), in order: ``len(loss_curve_) == n_iter_ +
        n_compressions_`` but for a final event (one at the iteration where the
        ``tol`` rule or an interrupt ended training, which has no value after it).
        The path as run, each value under the penalty of its iteration (a Bayesian
        alpha changes along it); the returned model is its best point (see
        ``alpha_``), so ``loss_`` can lie below the last value.

    best_loss_ : float or None
        Lowest value of ``loss_curve_``; None with ``early_stopping``.

    saturation_curve_ : list of float
        After every iteration, the fraction of hidden activations (over training
        samples and hidden neurons) on a flat spot of the activation, where
        ``|f'(net)| < 0.1 * max f'`` and LM's updates vanish: the saturation that
        weight compression undoes. Measured before any compression of that
        iteration. One value per iteration, ``len(saturation_curve_) == n_iter_``
        (as for ``mu_curve_``, ``n_effective_params_curve_`` and
        ``validation_scores_``).

    mu_curve_ : list of float or None
        The LM damping after every iteration, the one the next iteration starts from:
        the accepted step's ``mu`` divided by ``mu_factor`` (at least ``mu_min``), or
        after an iteration that accepted no step ``mu_factor`` times the last damping
        it tried (at most ``mu_max``; unchanged when no step could be computed). After
        a compression or restart the next iteration starts from ``mu`` instead. None
        with ``solver="scipy"``, whose damping is MINPACK's own trust region, and
        with the first-order solvers, which have none.

    n_effective_params_curve_ : list of float or None
        With ``alpha="bayes"``, after every iteration the effective number of
        parameters ``gamma`` of the prior's latest estimate (made after each accepted
        step, see ``alpha``), summed over the groups with ``weight_groups``; NaN
        before the first estimate. Where a compression restores the best weights, or
        a restart draws new ones, the value is the one restored with them (NaN after
        a restart until the next estimate). ``n_effective_params_`` is computed
        afresh at the returned weights, so it is near the last value, not equal to
        it. None otherwise.

    events_ : list of (int, str)
        The kept trial's compressions or restarts, in order: ``(iteration,
        "compression")`` or ``(iteration, "restart")`` for a policy acting after that
        iteration; ``len(events_) == n_compressions_``.

    n_compressions_ : int
        Compressions (or restarts, for ``compression="restart"``) performed.

    converged_ : bool
        Whether the training loss reached ``goal``, or an exact fit (``goal``'s
        metric at 1e-12), which ends training whatever ``goal`` is.

    alpha_ : float or ndarray
        The L2 penalty of the returned weights (with ``weight_groups``, an array of
        one alpha per group, named by ``alpha_groups_``): ``alpha`` itself, or with
        ``alpha="bayes"`` the estimate ``a / b`` in effect at those weights. The
        returned weights are the best point of the kept trial (the compression or
        restart policy's best, or the best validation score with
        ``early_stopping``), not always its last iterate, and alpha is saved and
        restored with them, so that ``alpha_``, ``loss_`` and
        ``n_effective_params_`` all describe the returned model.

    n_effective_params_ : float, ndarray or None
        With ``alpha="bayes"``, the effective number of parameters ``gamma``
        computed at the returned weights under ``alpha_`` (between 0 and the number
        of penalised weights; with ``weight_groups``, one per group, between 0 and
        the group's size); None otherwise.

    alpha_groups_ : tuple of str or None
        With ``weight_groups``, the names of the groups of ``alpha_``: ``"input"``
        (or ``"input 0"``, ``"input 1"``, ... for ARD), ``"hidden"``, ``"output"``,
        ``"bias"``; None otherwise.

    input_relevance_ : ndarray of shape (`n_features_in_`,) or None
        With ``weight_groups="ard"``, the effective number of parameters of each
        input feature's weights (its entries of ``n_effective_params_``): how many
        of them the data determine, near 0 for an input the fit does not use (a
        pruned one, whose alpha is large, or a constant one, which the data do not
        see and whose alpha is therefore small). None otherwise.

    committee_coefs_, committee_intercepts_ : list of list of ndarray
        Every committee member's ``coefs_`` and ``intercepts_``, best first (see
        ``committee_size``); the first are ``coefs_`` and ``intercepts_``.

    log_evidence_ : float or None
        With ``alpha="bayes"``, the log marginal likelihood of the training targets
        under the Laplace (Gauss-Newton) approximation at the returned weights
        (MacKay 1992; Bishop 1995, section 10.4): the data and penalty terms, the
        log determinant of the posterior precision, the normalisers of the prior and
        (squared error) of the noise, and the hidden units' symmetries
        (permutations, and sign flips for tanh and logistic). Biases carry a flat
        prior of unit density; the regressor's targets count in their own units
        (the internal standardisation's Jacobian included). None otherwise.

    laplace_posteriors_ : list
        Per committee member (in the order of ``committee_coefs_``), the Laplace
        posterior of its weights that predictive variances come from (the
        regressor's ``predict(X, return_std=True)``, the classifier's
        ``decision_function(X, return_std=True)`` and ``moderation``), or None:
        a named tuple ``(factor, noise_variance)``, ``factor`` the lower Cholesky
        factor L (n_weights x n_weights floats) of ``Q + D`` at the member's weights
        (Q the Gauss-Newton matrix of the summed training loss, D the penalty's
        diagonal, biases jittered by ``1e-6`` of alpha; the posterior covariance of
        the weights is ``(L L^T)^-1 * noise_variance``) and ``noise_variance`` the
        noise variance ``1 / beta`` (``SSE / (n - gamma)`` at the weights for
        squared error, in the units of the standardised targets; 1 for log-loss).
        From the factorisation that gives the log evidence at the end of each trial
        (or, when the trials' factors would take more than 256 MB, one pass over the
        data and one factorisation per member after them), for networks of at most
        2000 weights; None for larger ones, or
        when ``Q + D`` is not positive definite (``alpha=0`` on weights the data do
        not determine).

    init_results_ : dict of ndarray and list
        One entry per trial (``n_init`` of them, in the order of their seeds; one
        on a warm start; fewer if training was interrupted): ``"loss"`` (the
        training loss at the trial's end, on the scale of ``loss_``),
        ``"n_iter"``, ``"n_compressions"``, ``"converged"`` (reached ``goal``),
        ``"log_evidence"`` (as ``log_evidence_``, NaN without ``alpha="bayes"``) and
        ``"seconds"``, the trial's share of the fit's time (when trials run
        together, their batch's time divided equally); and, lists of one list per
        trial (of unequal lengths), ``"loss_curve"`` and ``"events"``, each trial's
        ``loss_curve_`` and ``events_``. With ``goal``, the rate of success and the
        time per success of a random start.

    validation_scores_ : list of float or None
        Validation score after every iteration with ``early_stopping``.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_outputs_ : int
        Number of network outputs.

    layout_ : NetworkLayout
        Read-only description of the fitted network: its layers (size, sources,
        activation, gain) and how its outputs become predictions (target scaling,
        output link, target type); with ``coefs_`` and ``intercepts_``, all a
        forward pass needs (user guide, "The fitted network's layout"). Every
        member of a committee has this layout (``committee_coefs_``); its
        predictions average theirs (``committee_size``)."""


_REFERENCES_DOC = """\
J. G. Smith, S. Wu, B. M. Wilamowski, "Neural Network Training With
    Levenberg-Marquardt and Adaptable Weight Compression", IEEE Transactions on
    Neural Networks and Learning Systems 30(2), 580-587, 2019."""


_DEFAULTS_DOC = """\
The defaults are for the data people bring: a bridged MLP of 10 tanh neurons
    (a linear model plus a small nonlinear part), Bayesian regularisation, weight
    compression when training stalls (``alpha="auto"``: no penalty when a ``goal`` is
    set), a stopping rule that ends converged fits, and a committee of 5 trials
    ranked by their evidence (``n_init="auto"``, ``committee_size="auto"``: one
    trial when a ``goal`` is set, or on a large problem: samples x outputs x
    weights^2 of 1e8 or more). They were chosen from ``benchmarks/real_data.py``
    (results in the documentation's benchmarks page). The paper's setting is reached
    with explicit parameters: ``topology="fcc"``, ``tol=None``, a ``goal`` (with
    which ``alpha`` is 0 and one trial is run) and the ``max_iter`` and ``beta`` of
    the problem (for example ``goal=0.1, max_iter=1000, beta=1e-4`` for the two
    spirals)."""


def _narrowest(dtype, arrays):
    """``dtype`` if every finite value of the (float64) arrays stays finite in it, else
    float64: a float32 model never turns a large weight or output into inf."""
    if dtype == np.float64:
        return np.float64
    limit = np.finfo(dtype).max
    with np.errstate(invalid="ignore"):
        fits = all(not np.any(np.isfinite(a) & (np.abs(a) > limit)) for a in arrays)
    return dtype if fits else np.float64


def fill_doc(cls):
    """Put the shared parameter, attribute, defaults and reference documentation into
    a class docstring."""
    cls.__doc__ = cls.__doc__.format(parameters=_PARAMETERS_DOC, attributes=_ATTRIBUTES_DOC,
                                     references=_REFERENCES_DOC, defaults=_DEFAULTS_DOC)
    return cls


class BaseLMWC(BaseEstimator):
    """Shared fit machinery; subclasses define the targets' encoding and the loss."""

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "topology": [StrOptions(set(TOPOLOGIES))],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "gain": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions(set(SOLVERS))],
        "compression": [StrOptions({"adaptive", "restart"}), None],
        "trigger": [StrOptions({"stall", "interval"})],
        "beta": [Interval(Real, 0, None, closed="left")],
        "interval": [Interval(Integral, 1, None, closed="left"), None],
        "omega": [Interval(Real, 0, None, closed="neither")],
        "rho": [Interval(Real, 1, None, closed="left")],
        "net_statistic": [StrOptions(set(NET_STATISTICS))],
        "mu": [Interval(Real, 0, None, closed="neither")],
        "mu_factor": [Interval(Real, 1, None, closed="neither")],
        "mu_min": [Interval(Real, 0, None, closed="left")],
        "mu_max": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "step",
                                      "exponential"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "decay_rate": [Interval(Real, 0, 1, closed="right")],
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "shuffle": ["boolean"],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "goal": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto", "bayes"})],
        "init": [StrOptions(set(INITS))],
        "n_init": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "committee_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "weight_groups": [StrOptions({"single", "layers", "ard"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    # the defaults live in the estimators' own signatures, so that errors name them
    def __init__(self, *, hidden_layer_sizes, topology, activation, gain, solver,
                 compression, trigger, beta, interval, omega, rho, net_statistic, mu,
                 mu_factor, mu_min, mu_max, learning_rate_init, learning_rate, power_t,
                 decay_rate, decay_steps, momentum, nesterovs_momentum, beta_1, beta_2,
                 epsilon, batch_size, shuffle, max_grad_norm, max_iter, goal, tol, alpha,
                 weight_groups,
                 init, n_init, committee_size, early_stopping, validation_fraction,
                 n_iter_no_change, n_jobs, random_state, verbose, warm_start):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.topology = topology
        self.activation = activation
        self.gain = gain
        self.solver = solver
        self.compression = compression
        self.trigger = trigger
        self.beta = beta
        self.interval = interval
        self.omega = omega
        self.rho = rho
        self.net_statistic = net_statistic
        self.mu = mu
        self.mu_factor = mu_factor
        self.mu_min = mu_min
        self.mu_max = mu_max
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.max_grad_norm = max_grad_norm
        self.max_iter = max_iter
        self.goal = goal
        self.tol = tol
        self.alpha = alpha
        self.weight_groups = weight_groups
        self.init = init
        self.n_init = n_init
        self.committee_size = committee_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ---- hooks for the subclasses ----------------------------------------------
    def _validate_targets(self, X, y, reset):
        """Validated (X, y)."""
        raise NotImplementedError

    def _encode_targets(self, y, sample_weight, reset):
        """y as the 2-D float array the network is trained on."""
        raise NotImplementedError

    def _make_loss(self):
        raise NotImplementedError

    def _score_outputs(self, outputs, Y, sample_weight):
        """Validation score (higher is better) of network outputs against encoded targets."""
        raise NotImplementedError

    def _combine(self, outputs):
        """A committee's outputs from its members' (a list of arrays): their mean,
        which averages the predictions when the decoding is linear."""
        return np.mean(outputs, axis=0)

    def _log_evidence_offset(self, weight_sum):
        """What the log evidence of the encoded targets gains in the units of y."""
        return 0.0

    def _decode(self, outputs):
        """Network outputs in the units of the predictions (regressor: of y)."""
        return outputs

    # ---- fit -------------------------------------------------------------------
    def _check_params(self):
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes))
        if sizes.ndim != 1 or (sizes.size and (sizes.dtype.kind not in "iu" or sizes.min() < 1)):
            raise ValueError("hidden_layer_sizes must be a sequence of positive integers, "
                             f"got {self.hidden_layer_sizes!r}.")
        if not self.mu_min <= self.mu <= self.mu_max:
            raise ValueError(f"mu must lie in [mu_min, mu_max], got mu_min={self.mu_min}, "
                             f"mu={self.mu}, mu_max={self.mu_max}.")
        alpha = self._resolved_alpha()
        if alpha == "bayes" and not SOLVERS[self.solver].bayes:
            raise ValueError(
                f'solver="{self.solver}" trains with a fixed alpha: alpha="bayes" '
                "re-estimates it from the Gauss-Newton matrix of Levenberg-Marquardt's "
                'steps. Use a float alpha, or solver="lm".')
        if self.weight_groups != "single" and alpha != "bayes":
            resolved = f" (here {alpha!r})" if self.alpha == "auto" else ""
            raise ValueError(f'weight_groups="{self.weight_groups}" estimates one alpha per '
                             f'group: it needs alpha="bayes", got alpha={self.alpha!r}'
                             f'{resolved}.')
        if self.trigger == "interval" and self.interval is None:
            raise ValueError('trigger="interval" needs interval, an int >= 1.')
        loss = getattr(self, "loss", "squared_error")  # the regressor has no loss parameter
        losses = SOLVERS[self.solver].losses
        if losses is not None and loss not in losses:
            # in the registry's order: the default solver first
            able = [name for name, s in SOLVERS.items()
                    if s.losses is None or loss in s.losses]
            raise ValueError(
                f'solver="{self.solver}" cannot train loss="{loss}" (it trains '
                f'{", ".join(sorted(losses))}); use solver="{able[0]}" with '
                f'loss="{loss}", or solver="{self.solver}" with loss="{sorted(losses)[0]}".')
        return [int(h) for h in sizes]

    def _fit(self, X, y, sample_weight=None):
        """Fit; on any error (or an interrupt outside the LM loop) the estimator is left
        exactly as it was, so a failed refit never leaves a half-updated model (new
        classes_, target scale or n_features_in_ with the old weights)."""
        state = self.__dict__.copy()
        try:
            return self._fit_unguarded(X, y, sample_weight)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fit_unguarded(self, X, y, sample_weight=None):
        sizes = self._check_params()
        resume = self.warm_start and hasattr(self, "coefs_")
        X, y, Y, sample_weight = self._prepare_data(X, y, sample_weight, reset=not resume)
        if resume and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"warm_start: y has {Y.shape[1]} outputs, the fitted model "
                             f"{self.n_outputs_}.")
        rng = check_random_state(self.random_state)
        network = Network(X.shape[1], sizes, Y.shape[1], self.topology, self.activation,
                          self.gain)
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split_validation(
                network, X, Y, y, sample_weight, rng)
        loss = self._make_loss()
        make_objective = self._objective_factory()
        params = self._trial_params()
        # the facts the options depend on, from the cost model and the network
        costs = plan(network, X.shape[0])
        options = fit_options(params, costs.small())
        n_trials = 1 if resume else options.trials.n_init
        # the fit's objective: the problem the solver checks, and the units of the
        # stored results (loss_, the evidence's offset, posteriors, saturation)
        objective = make_objective(network, loss, X, Y, sample_weight, options.prior.alpha,
                                   weight_groups=options.prior.weight_groups)
        solver = SOLVERS[options.solver.name]
        if solver.check is not None:
            solver.check(objective)
        seeds = rng.randint(np.iinfo(np.int32).max, size=n_trials)
        w0 = network.pack(self.coefs_, self.intercepts_) if resume else None
        start = time.perf_counter()
        # a warm start goes on from the fitted alpha(s), unless the groups changed
        groups = self.weight_groups
        n_groups = 1 if groups == "single" else len(network.weight_groups(groups)[1])
        alpha0 = self.alpha_ if resume and np.size(self.alpha_) == n_groups else None
        setting = Setting(options, network, loss, make_objective, validation, w0, alpha0)
        together = served_together(solver, objective.stackable, costs, n_trials)
        trials = run_trials(setting, X, Y, sample_weight, seeds, together)
        ranked = ranked_trials(trials, self.early_stopping)
        trial = ranked[0]
        if self.verbose:
            print(f"Kept trial {trial.number} of {len(seeds)}: "
                  f"{trial.summary(objective.mean(trial.result.value))}; "
                  f"{time.perf_counter() - start:.2f} s in all", flush=True)
        # never store a model that cannot predict: the best trial must, and a
        # committee keeps only the members that can
        committee = [member for member in ranked[:options.trials.committee_size]
                     if self._can_predict(network, member, X, costs.chunk)]
        if not committee or committee[0] is not trial:
            raise ValueError(
                "Training failed: the network's outputs on the training inputs overflow "
                "(X too large for the network to learn from). Scale the inputs, for "
                "example with sklearn.preprocessing.StandardScaler.")
        # trials missing: an interrupt stopped them before their first iteration
        self._store(network, objective, committee, interrupted=len(trials) < len(seeds))
        self.laplace_posteriors_ = laplace_posteriors(objective, committee,
                                                      options.trials.n_init)
        # the evidence of the targets in their own units
        offset = self._log_evidence_offset(objective.weight_sum)
        self.log_evidence_ = None if trial.log_evidence is None else \
            trial.log_evidence + offset
        self.init_results_ = init_results(trials, objective)
        self.init_results_["log_evidence"] += offset
        self._warn_if_saturated(objective, trial.w)
        return self

    # what fit does with the data, overridden by the estimators of sklearn_lmwc.dask
    def _prepare_data(self, X, y, sample_weight, reset):
        """Validated X, y, sample_weight and the encoded targets Y: ``(X, y, Y, sw)``."""
        X, y = self._validate_targets(X, y, reset=reset)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
        return X, y, self._encode_targets(y, sample_weight, reset=reset), sample_weight

    def _objective_factory(self):
        """``make(network, loss, X, Y, sample_weight, alpha, *, weight_groups)``: the
        training objective."""
        return Objective

    def _trial_params(self):
        """The parameters the trials run with, ``alpha="auto"`` resolved (the trials'
        ``"auto"``, which depend on the problem's size, by ``_options.fit_options``)."""
        params = self.get_params()
        params["alpha"] = self._resolved_alpha()
        return params

    def _resolved_alpha(self):
        """``alpha`` with "auto" resolved: "bayes", or 0.0 with a ``goal`` (a target
        for the training error asks for a fit of the training data, which a penalty
        works against) or a solver that trains with a fixed alpha (first-order)."""
        if self.alpha != "auto":
            return self.alpha
        return "bayes" if self.goal == 0 and SOLVERS[self.solver].bayes else 0.0

    def _can_predict(self, network, trial, X, chunk):
        """Whether the trial's weights, its objective and its outputs on X are finite."""
        with np.errstate(all="ignore"):
            return bool(np.isfinite(trial.value) and np.all(np.isfinite(trial.w)) and
                        self._outputs_finite(network, trial.w, X, chunk))

    def _outputs_finite(self, network, w, X, chunk):
        """Whether the decoded outputs at w are finite on every row of X (in chunks of
        ``chunk`` rows, so memory stays flat)."""
        return all(np.all(np.isfinite(self._decode(network.forward(w, X[s]))))
                   for s in gen_batches(X.shape[0], chunk))

    def _warn_if_saturated(self, objective, w):
        """Most hidden activations on a flat spot and inputs far from unit scale: the
        network can barely learn, and scaling the inputs is the usual cure."""
        X = objective.X
        with np.errstate(all="ignore"):
            squares = (np.asarray(X.multiply(X).sum(axis=0)).ravel() if issparse(X) else
                       np.einsum("ij,ij->j", X, X, dtype=np.float64))
            scale = float(np.sqrt(squares / X.shape[0]).max())
        if not scale > _UNSCALED:  # NaN-safe: overflowing squares count as unscaled
            return
        saturated = objective.saturation(w)
        if saturated > 0.5:
            warnings.warn(
                f"{saturated:.0%} of the hidden activations are saturated on the training "
                f"data (|slope| below a tenth of its maximum), and the inputs look "
                f"unscaled (root mean square of a feature up to {scale:.3g}): the "
                "network learns little there. Scale the inputs, for example with "
                "sklearn.preprocessing.StandardScaler in a Pipeline.", UserWarning)

    def _split_validation(self, network, X, Y, y, sample_weight, rng):
        stratify = y if is_classifier(self) and y.ndim == 1 else None
        try:
            parts = train_test_split(
                X, Y, *([] if sample_weight is None else [sample_weight]),
                test_size=self.validation_fraction, random_state=rng, stratify=stratify)
        except ValueError as error:  # name our parameters, not train_test_split's
            raise ValueError("early_stopping cannot hold out validation_fraction="
                             f"{self.validation_fraction} of {X.shape[0]} samples: "
                             f"{error}") from error
        X, X_val, Y, Y_val = parts[:4]
        sample_weight, sw_val = (None, None) if sample_weight is None else parts[4:]
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small; increase validation_fraction "
                             "or set early_stopping=False.")
        if sample_weight is not None and not (sample_weight.sum() > 0 and sw_val.sum() > 0):
            raise ValueError("With early_stopping, the sample_weight of the training part "
                             "and of the validation set must each have a positive sum; "
                             "change random_state or validation_fraction, or set "
                             "early_stopping=False.")

        def validation(w):
            with np.errstate(all="ignore"):  # overflowing outputs score worst, silently
                outputs = network.forward(w, X_val)
                if not np.all(np.isfinite(outputs)):
                    return -np.inf
                score = self._score_outputs(outputs, Y_val, sw_val)
            return score if np.isfinite(score) else -np.inf

        return X, Y, sample_weight, validation

    def _store(self, network, objective, committee, interrupted):
        trial = committee[0]
        result = trial.result
        self._network = network
        self.committee_coefs_, self.committee_intercepts_ = [], []
        for member in committee:
            params = network.unpack(member.w)
            # float32 X gives float32 weights, as in MLP, when they fit in float32
            dtype = _narrowest(objective.X.dtype, [a for pair in params for a in pair])
            self.committee_coefs_.append([W.astype(dtype) for W, _ in params])
            self.committee_intercepts_.append([b.astype(dtype) for _, b in params])
        self.coefs_, self.intercepts_ = self.committee_coefs_[0], self.committee_intercepts_[0]
        self.n_outputs_ = network.n_outputs
        self.n_iter_ = result.n_iter
        self.loss_ = objective.mean(trial.value)
        self.loss_curve_ = list(result.loss_curve)
        self.n_compressions_ = result.n_events
        self.converged_ = result.converged
        self.alpha_, self.n_effective_params_ = trial.prior
        groups = self.weight_groups != "single"
        self.alpha_groups_ = network.weight_groups(self.weight_groups)[1] if groups else None
        self.input_relevance_ = (self.n_effective_params_[:network.n_inputs]
                                 if self.weight_groups == "ard" else None)
        es = self.early_stopping
        self.best_loss_ = None if es else min(self.loss_curve_ + [self.loss_])
        self.saturation_curve_ = list(trial.saturation_curve)
        self.events_ = list(result.events)
        self.mu_curve_ = None if trial.mu_curve is None else list(trial.mu_curve)
        self.n_effective_params_curve_ = (None if trial.gamma_curve is None else
                                          list(trial.gamma_curve))
        self.validation_scores_ = list(trial.validation_scores) if es else None
        self.best_validation_score_ = trial.best_validation_score if es else None
        if interrupted or result.status == INTERRUPTED:
            warnings.warn("Training interrupted by user; the best weights found so far "
                          "are kept.")
        if result.status == MAX_ITER and (self.goal > 0 or self.tol is not None):
            warnings.warn(f"solver={self.solver!r} reached max_iter={self.max_iter} before "
                          "the goal or the tol rule was met.", ConvergenceWarning)

    @property
    def layout_(self):
        check_is_fitted(self, "coefs_")
        return describe(self._network, **self._layout_facts())

    def _layout_facts(self):
        """How the outputs become predictions: ``describe``'s keyword arguments."""
        raise NotImplementedError

    # ---- predict ---------------------------------------------------------------
    def _validated(self, X):
        check_is_fitted(self, "coefs_")
        return validate_data(self, X, reset=False, dtype=_DTYPES, accept_sparse="csr")

    def _member_weights(self):
        """Every committee member's flat weights, best first: the best is ``coefs_``
        itself, whatever a user assigned to it."""
        members = [(self.coefs_, self.intercepts_),
                   *zip(self.committee_coefs_[1:], self.committee_intercepts_[1:])]
        return [self._network.pack(coefs, intercepts) for coefs, intercepts in members]

    def _forward(self, X):
        """The network's outputs for X (a committee's combined, see ``_combine``), in
        the dtype of X and the fitted weights (as scikit-learn's MLP: float32 stays
        float32)."""
        X = self._validated(X)
        outputs = []
        for w in self._member_weights():
            with np.errstate(all="ignore"):
                outputs.append(np.concatenate(
                    [self._network.forward(w, X[s])
                     for s in gen_batches(X.shape[0], _PREDICT_ROWS)]
                    or [np.empty((0, self.n_outputs_))]))
        return self._combined(X, outputs)

    def _combined(self, X, outputs):
        """The members' outputs on X combined (``_combine``), checked and in the dtype
        of ``_forward``."""
        with np.errstate(all="ignore"):
            Z = outputs[0] if len(outputs) == 1 else self._combine(outputs)
        if np.isnan(Z).any():  # +-inf is a limit (far extrapolation), NaN no answer
            raise ValueError("Input X is too large for the fitted network: its outputs "
                             f"overflow to NaN (max |X| = {abs(X).max():.3g}). Scale X "
                             "as it was scaled for fit.")
        return Z.astype(_narrowest(np.result_type(X.dtype, self.coefs_[0].dtype), [Z]),
                        copy=False)

    def _has_posterior(self):
        posteriors = getattr(self, "laplace_posteriors_", None)
        return posteriors is not None and all(p is not None for p in posteriors)

    def _posterior_moments(self, X, cov=False):
        """Per committee member, its outputs on X (validated) and their variances under
        its weights' posterior, ``output_moments``' pair (in the training units,
        noise excluded); a ValueError saying why when the fit kept no posterior."""
        X = self._validated(X)
        if not self._has_posterior():
            n_weights = self._network.n_weights
            limit = _predictive.MAX_WEIGHTS
            if not hasattr(self, "laplace_posteriors_"):
                why = "it was fitted by a version of sklearn-lmwc that kept none; refit it"
            elif n_weights > limit:
                why = (f"the network has {n_weights} weights, more than the {limit} "
                       "whose posterior factor (weights x weights floats) a fit keeps")
            else:
                why = ("the posterior precision Q + D at the fitted weights is not "
                       "positive definite (no penalty on weights the data do not "
                       "determine); fit with alpha='bayes' (the default) or alpha > 0")
            raise ValueError(f"This {type(self).__name__} has no Laplace posterior to "
                             f"give predictive variances: {why}.")
        moments = []
        for w, posterior in zip(self._member_weights(), self.laplace_posteriors_):
            with np.errstate(all="ignore"):
                moments.append(output_moments(self._network, w, posterior.factor, X, cov,
                                              self._shift_invariant()))
        return X, moments

    def _shift_invariant(self):
        """Whether predictions ignore a common shift of the outputs (softmax logits)."""
        return False
