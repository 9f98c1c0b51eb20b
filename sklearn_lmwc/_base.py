"""The scikit-learn face shared by LMWCRegressor and LMWCClassifier.

Parameters and their validation, the data (dtypes, the hooks the Dask estimators
override), the options resolved once (``_options``), the call to the trials
(``_trials``) and the fitted attributes made from the kept one. The shared
docstrings are ``_docstrings``'; early stopping's split and the saturation warning
``_stopping``'s. Knows nothing of Jacobians, solvers' iterations or the prior's
estimates.
"""

import time
import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _predictive
from ._activations import ACTIVATIONS
from ._costs import plan
from ._docstrings import fill_doc  # noqa: F401 (the estimators' modules import it here)
from ._init import INITS
from ._layout import describe
from ._loop import INTERRUPTED, MAX_ITER
from ._network import NET_STATISTICS, TOPOLOGIES, Network
from ._objective import Objective
from ._options import fit_options
from ._predictive import laplace_posteriors, output_moments
from ._pruning import Support, informative_inputs, over_ratio
from ._solvers import SOLVERS
from ._stopping import split_validation, warn_if_saturated
from ._trials import (
    Setting,
    init_results,
    ranked_trials,
    ranking_criterion,
    run_trials,
    served_together,
)

# input dtypes kept as they are (others are converted to the first)
_DTYPES = (np.float64, np.float32)
# rows predicted at once: a sparse X is densified one such chunk at a time
_PREDICT_ROWS = 4096

def _narrowest(dtype, arrays):
    """``dtype`` if every finite value of the (float64) arrays stays finite in it, else
    float64: a float32 model never turns a large weight or output into inf."""
    if dtype == np.float64:
        return np.float64
    limit = np.finfo(dtype).max
    with np.errstate(invalid="ignore"):
        fits = all(not np.any(np.isfinite(a) & (np.abs(a) > limit)) for a in arrays)
    return dtype if fits else np.float64


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
        "prune_ratio": [Interval(Real, 1, None, closed="neither"), None],
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
                 weight_groups, prune_ratio,
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
        self.prune_ratio = prune_ratio
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
            X, Y, sample_weight, validation = split_validation(
                network, X, Y, sample_weight, self.validation_fraction, rng,
                self._score_outputs,
                stratify=y if is_classifier(self) and y.ndim == 1 else None)
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
        keep = None
        if options.prior.prunes:
            # inputs the data cannot inform never enter; a warm start leaves out the
            # inputs it pruned
            keep = self._informative_inputs(
                X if sample_weight is None else X[sample_weight > 0])
            if alpha0 is not None:
                keep &= ~over_ratio(np.asarray(alpha0)[:network.n_inputs], keep,
                                    self.prune_ratio)
        setting = Setting(options, network, loss, make_objective, validation, w0, alpha0,
                          keep)
        # pruned trials change size: they run alone
        together = keep is None and served_together(solver, objective.stackable, costs,
                                                    n_trials)
        trials = run_trials(setting, X, Y, sample_weight, seeds, together)
        ranked = ranked_trials(trials, self.early_stopping)
        trial = ranked[0]
        if self.verbose:
            self._print_kept(trials, len(seeds), trial, objective, options,
                             time.perf_counter() - start)
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
        self.laplace_posteriors_ = self._kept_posteriors(
            objective, committee, options,
            lambda support: setting.objective_on(support, X, Y, sample_weight))
        # the evidence of the targets in their own units
        offset = self._log_evidence_offset(objective.weight_sum)
        self.log_evidence_ = None if trial.log_evidence is None else \
            trial.log_evidence + offset
        self.init_results_ = init_results(trials, objective)
        self.init_results_["log_evidence"] += offset
        warn_if_saturated(self._input_scale(objective.X),
                          lambda: objective.saturation(trial.w))
        return self

    def _kept_posteriors(self, objective, committee, options, objective_on):
        """``support_`` (the inputs some committee member kept), the network that
        predicts from them, and the committee's Laplace posteriors over its weights
        (``objective_on(support)`` builds the objective there, when members pruned)."""
        network = objective.network
        supports = [m.support for m in committee if m.support is not None]
        keep = np.logical_or.reduce(supports) if supports else \
            np.ones(network.n_inputs, dtype=bool)
        self.support_ = keep
        self._support = Support(network, keep)
        if all(s.all() for s in supports):
            return laplace_posteriors(objective, committee, options.trials.n_init)
        if not keep.any():
            warnings.warn("No input is relevant (constant inputs, or the evidence "
                          "switched every input off), so the model predicts what the "
                          "biases give, whatever X.", UserWarning)
        support = self._support
        restricted = [replace(m, point=support.restrict_point(m.point)) for m in committee]
        kept = objective_on(support)
        try:
            return laplace_posteriors(kept, restricted, options.trials.n_init, own=False)
        finally:
            kept.close()

    def _informative_inputs(self, X):
        """Which inputs can inform the fit (``_pruning.informative_inputs``); the
        Dask estimators compute it on their client."""
        return informative_inputs(X)

    def _print_kept(self, trials, n_trials, trial, objective, options, seconds):
        """verbose's summary of a fit: the trial kept and why, what predicts, and why
        "auto" ran one trial when it did."""
        size = min(options.trials.committee_size, len(trials))
        print(f"Kept trial {trial.number} of {n_trials} "
              f"({ranking_criterion(trials, self.early_stopping)}): "
              f"{trial.summary(objective.mean(trial.result.value))}; "
              f"{seconds:.2f} s in all", flush=True)
        if size > 1:
            print(f"A committee of the {size} best trials predicts (their outputs "
                  "averaged).", flush=True)
        # "auto" with a Bayesian penalty is one trial only above the size bound
        if self.n_init == "auto" and options.prior.bayes and options.trials.n_init == 1:
            print("n_init='auto' ran one trial, not a committee: an iteration of this "
                  "problem costs more than the bound under which trials run together. "
                  "Set n_init (and committee_size) to train a committee anyway.",
                  flush=True)

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

    def _input_scale(self, X):
        """The largest root mean square of a feature of X (inf when the squares
        overflow), for the saturation warning; the Dask estimators compute it on their
        client."""
        with np.errstate(all="ignore"):
            squares = (np.asarray(X.multiply(X).sum(axis=0)).ravel() if issparse(X) else
                       np.einsum("ij,ij->j", X, X, dtype=np.float64))
            return float(np.sqrt(squares / X.shape[0]).max())

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
        self.alpha_groups_ = self._group_names(network) if groups else None
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

    def _group_names(self, network):
        """``alpha_groups_``: the network's names of the groups, an ARD group named
        by its feature when the fit saw feature names."""
        names = network.weight_groups(self.weight_groups)[1]
        features = getattr(self, "feature_names_in_", None)
        if self.weight_groups != "ard" or features is None:
            return names
        return tuple(f"input {features[int(name[6:])]}" if name.startswith("input ")
                     else name for name in names)

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
        return [self._support.restrict(self._network.pack(coefs, intercepts))
                for coefs, intercepts in members]

    def _kept_inputs(self, X):
        """The columns of (validated) X the fitted network reads: ``support_``'s."""
        return X if self._support.everything else X[:, self._support.columns]

    def _forward(self, X):
        """The network's outputs for X (a committee's combined, see ``_combine``), in
        the dtype of X and the fitted weights (as scikit-learn's MLP: float32 stays
        float32)."""
        X = self._validated(X)
        inputs, network = self._kept_inputs(X), self._support.network
        outputs = []
        for w in self._member_weights():
            with np.errstate(all="ignore"):
                outputs.append(np.concatenate(
                    [network.forward(w, inputs[s])
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
            n_weights = self._support.network.n_weights
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
        inputs, network = self._kept_inputs(X), self._support.network
        for w, posterior in zip(self._member_weights(), self.laplace_posteriors_):
            with np.errstate(all="ignore"):
                moments.append(output_moments(network, w, posterior.factor, inputs, cov,
                                              self._shift_invariant()))
        return X, moments

    def _shift_invariant(self):
        """Whether predictions ignore a common shift of the outputs (softmax logits)."""
        return False
