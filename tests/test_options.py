"""The fit's options (``_options``): the parameters resolved once, in frozen groups."""

import dataclasses

import pytest

from sklearn_lmwc import LMWCClassifier, LMWCRegressor
from sklearn_lmwc._options import _AUTO_TRIALS, fit_options, resolve_trials


@pytest.mark.parametrize("bayes, small, expected", [
    (True, True, (_AUTO_TRIALS, _AUTO_TRIALS)),  # a committee where trials cost little
    (True, False, (1, 1)), (False, True, (1, 1)), (False, False, (1, 1))])
def test_auto_trials_are_a_committee_only_for_a_small_bayesian_problem(bayes, small,
                                                                       expected):
    assert resolve_trials("auto", "auto", bayes, small) == expected
    # a given n_init stands; the committee "auto" is all of them or one
    assert resolve_trials(3, "auto", bayes, small) == (3, 3 if bayes and small else 1)
    assert resolve_trials("auto", 1, bayes, small) == (expected[0], 1)


def test_a_committee_larger_than_the_trials_is_refused():
    with pytest.raises(ValueError, match="committee_size=4 needs as many trials: n_init=2"):
        resolve_trials(2, 4, True, True)


def test_every_parameter_below_the_face_lands_in_one_frozen_group():
    est = LMWCClassifier(mu=0.5, beta_1=0.8, omega=0.2, net_statistic="authors", tol=None,
                         n_init=2, committee_size="auto", n_jobs=3, init="nw")
    options = fit_options(est._trial_params(), small=True)
    assert options.solver.damping.mu == 0.5 and options.solver.first_order.beta_1 == 0.8
    assert options.policy.omega == 0.2 and options.policy.statistic == "authors"
    assert options.prior.alpha == "bayes" and options.prior.bayes
    assert options.stopping.tol is None
    assert (options.trials.n_init, options.trials.committee_size) == (2, 2)
    assert (options.trials.n_jobs, options.trials.init) == (3, "nw")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.policy.omega = 1.0
    # the damped runs' keyword arguments are the damping's fields
    assert options.solver.damping.run_options() == dict(mu=0.5, mu_factor=10.0,
                                                        mu_min=1e-15, mu_max=1e15)


def test_the_estimators_parameters_all_reach_the_options_or_the_face():
    # a parameter the options leave out is the face's own (data, the committee's use)
    covered = {"mu", "mu_factor", "mu_min", "mu_max", "learning_rate_init",
               "learning_rate", "power_t", "decay_rate", "decay_steps", "momentum",
               "nesterovs_momentum", "beta_1", "beta_2", "epsilon", "batch_size",
               "shuffle", "max_grad_norm", "solver", "max_iter", "goal", "compression",
               "trigger", "beta", "interval", "omega", "rho", "net_statistic", "alpha",
               "weight_groups", "prune_ratio", "tol", "n_iter_no_change", "verbose",
               "n_init",
               "committee_size", "n_jobs", "init"}
    face = {"hidden_layer_sizes", "topology", "activation", "gain", "early_stopping",
            "validation_fraction", "random_state", "warm_start"}
    assert set(LMWCRegressor().get_params()) == covered | face
