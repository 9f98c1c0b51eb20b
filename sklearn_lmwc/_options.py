"""The fit's options: the estimator's parameters resolved once, in frozen groups.

The face (``_base``) resolves every "auto" and builds a ``FitOptions`` with
``fit_options``; the trials, the solvers' run options (``_solvers``) and the policy
read these groups, named for what they set, and nothing below the face reads the
parameter dict.
"""

from dataclasses import asdict, dataclass

from ._compression import make_policy

# the trials of n_init="auto" with a Bayesian penalty on a small network (all of them
# in the committee): chosen on the real-data benchmark (docs, benchmarks page)
_AUTO_TRIALS = 5


@dataclass(frozen=True)
class Damping:
    """Levenberg-Marquardt's damping: its start ``mu``, factor and bounds."""

    mu: float
    mu_factor: float
    mu_min: float
    mu_max: float

    def run_options(self):
        """The damped runs' keyword arguments (``_lm.lm_run``)."""
        return asdict(self)


@dataclass(frozen=True)
class FirstOrder:
    """The first-order solvers' rule, learning-rate schedule and batches (see
    ``_first_order``)."""

    learning_rate_init: float
    learning_rate: str
    power_t: float
    decay_rate: float
    decay_steps: int
    momentum: float
    nesterovs_momentum: bool
    beta_1: float
    beta_2: float
    epsilon: float
    batch_size: object  # int or "auto"
    shuffle: bool
    max_grad_norm: float | None


@dataclass(frozen=True)
class SolverOptions:
    """Which solver runs (a name in ``_solvers.SOLVERS``), for how long, and its own
    settings."""

    name: str
    max_iter: int
    goal: float
    damping: Damping
    first_order: FirstOrder


@dataclass(frozen=True)
class PolicyOptions:
    """What happens when a run stalls (``_compression``): the policy and its trigger."""

    compression: str | None
    trigger: str
    beta: float
    interval: int | None
    omega: float
    rho: float
    statistic: str

    def policy(self, objective, start, draw, window):
        """The policy of a run from the point ``start``; ``draw()`` gives fresh
        weights (restarts), ``window`` the stall trigger's (the solver's)."""
        return make_policy(self.compression, self.trigger, objective=objective,
                           start=start, draw=draw, beta=self.beta, interval=self.interval,
                           omega=self.omega, rho=self.rho, statistic=self.statistic,
                           window=window)


@dataclass(frozen=True)
class PriorOptions:
    """The prior: ``alpha`` resolved (a float or "bayes") and its groups of weights."""

    alpha: float | str
    weight_groups: str
    prune_ratio: float | None = None

    @property
    def bayes(self):
        return self.alpha == "bayes"

    @property
    def prunes(self):
        """Whether inputs leave the fit (``_pruning``): one Bayesian alpha per input
        and a threshold."""
        return self.bayes and self.weight_groups == "ard" and \
            self.prune_ratio is not None


@dataclass(frozen=True)
class StoppingOptions:
    """The ``tol`` rule and what is printed per iteration."""

    tol: float | None
    n_iter_no_change: int
    verbose: int


@dataclass(frozen=True)
class TrialOptions:
    """How many trials, how many of them the committee keeps, on how many workers,
    and their initial weights."""

    n_init: int
    committee_size: int
    n_jobs: int | None
    init: str


@dataclass(frozen=True)
class FitOptions:
    """Every option of a fit, by what it sets."""

    solver: SolverOptions
    policy: PolicyOptions
    prior: PriorOptions
    stopping: StoppingOptions
    trials: TrialOptions


def resolve_trials(n_init, committee_size, bayes, small):
    """``n_init`` and ``committee_size`` with "auto" resolved: a committee of
    ``_AUTO_TRIALS`` trials with a Bayesian penalty on a ``small`` problem (an
    iteration's work below the bound under which trials run together, where five cost
    little: ``_costs.Plan.small``), else one trial."""
    committee = bayes and small
    if n_init == "auto":
        n_init = _AUTO_TRIALS if committee else 1
    if committee_size == "auto":
        committee_size = n_init if committee else 1
    if committee_size > n_init:
        raise ValueError(f"committee_size={committee_size} needs as many trials: "
                         f"n_init={n_init}.")
    return n_init, committee_size


def fit_options(params, small):
    """The ``FitOptions`` of the estimator's parameters ``params`` (``get_params``,
    ``alpha`` already resolved), the trials' "auto" resolved for a problem that is
    ``small`` or not."""
    p = params
    n_init, committee_size = resolve_trials(p["n_init"], p["committee_size"],
                                            p["alpha"] == "bayes", small)
    return FitOptions(
        solver=SolverOptions(
            p["solver"], p["max_iter"], p["goal"],
            Damping(p["mu"], p["mu_factor"], p["mu_min"], p["mu_max"]),
            FirstOrder(p["learning_rate_init"], p["learning_rate"], p["power_t"],
                       p["decay_rate"], p["decay_steps"], p["momentum"],
                       p["nesterovs_momentum"], p["beta_1"], p["beta_2"], p["epsilon"],
                       p["batch_size"], p["shuffle"], p["max_grad_norm"])),
        policy=PolicyOptions(p["compression"], p["trigger"], p["beta"], p["interval"],
                             p["omega"], p["rho"], p["net_statistic"]),
        prior=PriorOptions(p["alpha"], p["weight_groups"], p["prune_ratio"]),
        stopping=StoppingOptions(p["tol"], p["n_iter_no_change"], p["verbose"]),
        trials=TrialOptions(n_init, committee_size, p["n_jobs"], p["init"]))
