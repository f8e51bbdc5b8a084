"""Test-suite wide fixtures and the "no skips in CI" rule.

* Optional pieces skip with a reason when missing: ``torch`` (parity tests,
  the "bench" extra), ``distributed`` (the "dask" extra) and the M4 CSV files
  (found through :func:`find_m4_dir`), so that ``python3 -m pytest`` passes
  right after ``pip install -e ".[test]"``.
* With ``CI`` set to ``true``/``1``/``yes`` (``.ci/run`` sets it; so do most CI
  services), every skip is turned into a failure: CI installs every extra and
  has ``../shared``, so a skip there means a test silently stopped running.
  Expected failures (``xfail``) are left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
M4_FILES = ("Hourly-train.csv", "Hourly-test.csv")


def ci_enabled() -> bool:
    """Whether the ``CI`` environment variable asks for a run without skips."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def find_m4_dir() -> Path | None:
    """The folder holding the M4 Hourly CSVs, or None.

    Looked up in ``$RNNFORECAST_M4_PATH``, then ``../shared/data/m4`` beside
    the repository root (where CI keeps them).
    """
    candidates = []
    if os.environ.get("RNNFORECAST_M4_PATH"):
        candidates.append(Path(os.environ["RNNFORECAST_M4_PATH"]))
    candidates.append(ROOT.parent / "shared" / "data" / "m4")
    for folder in candidates:
        if all((folder / name).is_file() for name in M4_FILES):
            return folder
    return None


@pytest.fixture(scope="session")
def m4_dir() -> Path:
    """Path of the M4 CSV folder; skips the test (with the places looked at) when absent."""
    folder = find_m4_dir()
    if folder is None:
        pytest.skip("M4 Hourly CSVs not found: set RNNFORECAST_M4_PATH or put them in "
                    f"{ROOT.parent / 'shared' / 'data' / 'm4'}")
    return folder


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


class NoSkipsInCI:
    """Plugin turning every skip (test or collection) into a failure with its reason."""

    @staticmethod
    def _fail(report) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            report.outcome = "failed"
            report.longrepr = ("skipped while CI=true, where nothing may skip (every extra and "
                               f"../shared are installed): {_skip_reason(report)}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        self._fail(outcome.get_result())

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector):
        outcome = yield
        self._fail(outcome.get_result())


def pytest_configure(config):
    # registered as a plugin (not left as conftest hooks) so that it also sees
    # the doctests collected under rnnforecast/
    if ci_enabled() and not config.pluginmanager.has_plugin("rnnforecast-no-skips-in-ci"):
        config.pluginmanager.register(NoSkipsInCI(), "rnnforecast-no-skips-in-ci")
