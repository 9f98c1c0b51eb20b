"""Test configuration: the ``slow`` marker, and Hypothesis profiles.

Statistical tests (success rates over many random starts) and long fits are marked
``@pytest.mark.slow``. pyproject.toml registers the marker and deselects them by default
(``addopts = "-ra -m 'not slow'"``), so ``python -m pytest`` stays under 3 minutes on 2
cores; ``python -m pytest -m slow`` runs only them, ``python -m pytest -m ""`` runs
everything. CI (.ci/run) runs both commands.

Hypothesis profiles for the property-based tests (tests/test_properties.py); pick one
with ``--hypothesis-profile=NAME``:

- ``default``: 25 examples per property, so the whole suite stays fast;
- ``thorough``: 500 examples per property, for a deliberate hunt
  (``python -m pytest tests/test_properties.py --hypothesis-profile=thorough``).

Both have no deadline: a fit's time varies with the drawn network and data, and
with the machine's load.

``benchmark_script(name)`` imports ``benchmarks/NAME.py`` as a module, for the
benchmarks' smoke tests.
"""

import importlib.util
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow],
               print_blob=True)

settings.register_profile("default", max_examples=25, **_COMMON)
settings.register_profile("thorough", max_examples=500, **_COMMON)
settings.load_profile("default")  # the command line's --hypothesis-profile overrides it


@cache
def _load_benchmark(name):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_{name}_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def benchmark_script():
    """``load(name)``: the script ``benchmarks/<name>.py`` imported as a module."""
    return _load_benchmark
