"""Numba options live in one place; environment switches are parsed strictly."""

import ast
import pathlib
import subprocess
import sys

import pytest

from rnnforecast._kernels import config

KERNEL_DIR = pathlib.Path(config.__file__).parent


def test_fastmath_flags_exclude_nnan_and_ninf():
    assert "nnan" not in config.FASTMATH and "ninf" not in config.FASTMATH
    assert config.NJIT["fastmath"] is config.FASTMATH
    # serial, GIL-free kernels: threads come from rnnforecast.nn.threads.run_chunks
    assert config.NJIT["nogil"] is True and not config.NJIT.get("parallel", False)
    # internal helpers differ from NJIT only by having no Python entry point
    extra = {k: v for k, v in config.NJIT_INTERNAL.items() if config.NJIT.get(k) != v}
    assert extra == {"no_cpython_wrapper": True, "no_cfunc_wrapper": True}
    assert config.NJIT_INLINE == dict(config.NJIT_INTERNAL, inline="always")


def test_every_kernel_decorator_takes_its_options_from_config():
    seen = 0
    for path in KERNEL_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("njit", "jit"):
                seen += 1
                assert not node.args, f"{path.name}:{node.lineno} passes positional options"
                kws = [(k.arg, getattr(k.value, "id", None)) for k in node.keywords]
                assert kws in ([(None, "NJIT")], [(None, "NJIT_INTERNAL")],
                               [(None, "NJIT_INLINE")]), \
                    f"{path.name}:{node.lineno} sets its own numba options: {kws}"
            if isinstance(node, ast.keyword) and node.arg == "jit_options":
                assert getattr(node.value, "id", None) == "NJIT", f"{path.name}:{node.lineno}"
        for node in ast.walk(tree):  # bare @njit without a call is not allowed either
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    assert not (isinstance(dec, ast.Name) and dec.id in ("njit", "jit")), \
                        f"{path.name}:{node.lineno} uses a bare @{dec.id}"
    assert seen >= 20


def test_no_kernel_uses_prange():
    # prange needs parallel=True (Numba's spin-waiting OpenMP/workqueue layer)
    for path in KERNEL_DIR.glob("*.py"):
        assert "prange(" not in path.read_text(), path.name


def test_kernels_import_only_numpy_and_numba():
    for path in KERNEL_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module.split(".")[0]]
            else:
                continue
            assert set(names) <= {"numpy", "numba", "math", "os"}, (path.name, names)


@pytest.mark.parametrize("value,expected", [("1", True), ("0", False), ("", True)])
def test_cache_switch_parsing(monkeypatch, value, expected):
    monkeypatch.setenv("RNNFORECAST_NUMBA_CACHE", value)
    assert config.parse_switch("RNNFORECAST_NUMBA_CACHE", True) is expected


@pytest.mark.parametrize("value", ["yes", "true", "2", " 1", "False"])
def test_cache_switch_rejects_anything_else(monkeypatch, value):
    monkeypatch.setenv("RNNFORECAST_NUMBA_CACHE", value)
    with pytest.raises(ValueError, match="RNNFORECAST_NUMBA_CACHE must be '0' or '1'"):
        config.parse_switch("RNNFORECAST_NUMBA_CACHE", True)


def test_bad_switch_fails_at_import():
    code = "import rnnforecast._kernels.config"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"RNNFORECAST_NUMBA_CACHE": "maybe", "PATH": ""})
    assert res.returncode != 0 and "RNNFORECAST_NUMBA_CACHE" in res.stderr


def test_isnan_is_honest_under_the_configured_flags():
    import numpy as np
    from numba import njit

    @njit(**config.NJIT)
    def count_nan(a):
        n = 0
        for v in a:
            if np.isnan(v):
                n += 1
        return n

    assert count_nan(np.array([1.0, np.nan, 2.0, np.nan])) == 2
