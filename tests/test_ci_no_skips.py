"""tests/conftest.py: with CI=true a skip (in a test or at collection) fails the run; without, it skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parent / "conftest.py"
SAMPLE = '''
import pytest

def test_runs():
    assert True

def test_skips():
    pytest.skip("no widget installed")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
'''


def _run(tmp_path: Path, ci: str | None, body: str = SAMPLE) -> subprocess.CompletedProcess:
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(body)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA",
                           str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("ci", [None, "false", "0"])
def test_skips_are_allowed_outside_ci(tmp_path, ci):
    proc = _run(tmp_path, ci)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in proc.stdout


@pytest.mark.parametrize("ci", ["true", "1", "TRUE"])
def test_a_skip_fails_the_run_in_ci_and_says_why(tmp_path, ci):
    proc = _run(tmp_path, ci)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed, 1 xfailed" in proc.stdout
    assert "skipped while CI=true" in proc.stdout and "no widget installed" in proc.stdout


def test_a_module_level_importorskip_fails_in_ci(tmp_path):
    body = 'import pytest\nnot_there = pytest.importorskip("no_such_module_xyz")\n\ndef test_x():\n    pass\n'
    proc = _run(tmp_path, "true", body)
    assert proc.returncode != 0 and "no_such_module_xyz" in proc.stdout, proc.stdout
    outside = _run(tmp_path, None, body)
    assert outside.returncode == 5 and "1 skipped" in outside.stdout  # 5: no test ran; not a failure
