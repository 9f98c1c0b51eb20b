"""The estimators' shared documentation: parameters, attributes, defaults, references.

Templates that ``fill_doc`` puts into the estimators' class docstrings (their
``{parameters}``, ``{attributes}``, ``{defaults}`` and ``{references}`` fields), so
that every estimator, the Dask ones included, documents its parameters in one
wording.
"""


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

    prune_ratio : float > 1 or None, default=1e4
        With ``weight_groups="ard"``: an input whose alpha grows past ``prune_ratio``
        times the smallest input alpha (the most relevant input's), or to the
        prior's ceiling of 1e12, is pruned. The evidence holds its weights near
        zero; it leaves the network, and every later iteration (its Jacobian,
        factorisation and evidence) costs what the kept inputs cost. A ratio, not
        an alpha as ``sklearn.linear_model.ARDRegression``'s ``threshold_lambda``,
        because a network can move the scale of its weights between layers
        without changing what it computes: only next to the other inputs' does an
        input's alpha say how little the targets need it. Inputs that cannot
        inform the fit (constant, or a copy of an earlier column) are pruned
        before the first iteration. ``support_`` tells
        which inputs the model reads; predictions skip the others. None keeps every
        input. Without ARD it has no effect.

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
        (or, for ARD, one per feature: ``"input <name>"`` with the feature's name
        when ``feature_names_in_`` holds them, else ``"input 0"``, ``"input 1"``,
        ...), ``"hidden"``, ``"output"``, ``"bias"``; None otherwise. A group whose
        alpha sits at the ceiling of 1e12 has been switched off by the evidence: its
        weights are zero to rounding (an irrelevant input, with ARD); its relevance
        in ``input_relevance_`` is near 0.

    input_relevance_ : ndarray of shape (`n_features_in_`,) or None
        With ``weight_groups="ard"``, the effective number of parameters of each
        input feature's weights (its entries of ``n_effective_params_``): how many
        of them the data determine, near 0 for an input the fit does not use (a
        switched-off one, whose alpha is large) and 0 for an input pruned by
        ``prune_ratio``. None otherwise.

    support_ : ndarray of bool of shape (`n_features_in_`,)
        The inputs the model reads, as scikit-learn's feature selectors spell it:
        every input but those pruned with ``weight_groups="ard"`` and
        ``prune_ratio`` (whose rows of ``coefs_`` are zero). With a committee,
        the inputs any member kept.

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


def fill_doc(cls):
    """Put the shared parameter, attribute, defaults and reference documentation into
    a class docstring."""
    cls.__doc__ = cls.__doc__.format(parameters=_PARAMETERS_DOC, attributes=_ATTRIBUTES_DOC,
                                     references=_REFERENCES_DOC, defaults=_DEFAULTS_DOC)
    return cls
