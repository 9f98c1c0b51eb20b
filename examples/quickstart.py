"""Quickstart: plain LM against LM with adaptable weight compression (LM-WC).

The two-spiral problem (Lang & Witbrock, 194 points) with a fully connected
cascade of 9 tanh neurons, the setting of Smith, Wu & Wilamowski (2019): a trial
succeeds when the training RMSE reaches 0.1 within 1000 iterations. Each solver
is trained from the same 10 random starts; the table shows how often it succeeds
and how long a fit takes.

Run it with ``python examples/quickstart.py`` (under a minute).
"""

import statistics
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

from sklearn_lmwc import LMWCRegressor
from sklearn_lmwc.datasets import make_two_spirals

X, y = make_two_spirals()
n_starts = 10

print(f"two-spiral, {len(X)} points, FCC with 9 hidden neurons, goal RMSE 0.1, "
      f"{n_starts} random starts\n")
print(f"{'method':<28}{'success rate':>14}{'median RMSE':>13}{'s per fit':>11}"
      f"{'compressions':>14}")
for name, compression in [("LM", None), ("LM-WC (adaptive compression)", "adaptive")]:
    successes, compressions, rmse, start = 0, 0, [], time.perf_counter()
    for seed in range(n_starts):
        model = LMWCRegressor(hidden_layer_sizes=(9,), topology="fcc", compression=compression,
                              beta=1e-4, goal=0.1, tol=None, max_iter=1000, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # failed trials warn
            model.fit(X, y)
        successes += model.converged_
        compressions += model.n_compressions_
        rmse.append(model.loss_ ** 0.5)  # RMSE of the standardised (here +-1) targets
    seconds = (time.perf_counter() - start) / n_starts
    print(f"{name:<28}{successes / n_starts:>14.0%}{statistics.median(rmse):>13.3f}"
          f"{seconds:>11.2f}{compressions / n_starts:>14.1f}")
