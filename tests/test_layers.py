"""Layers depend downward only, and every module imports on its own (no cycles).

The table below is the house rule of the developers' guide: a package may
import only from the packages listed for it (and from itself); the top layer
(backtesting, benchmarking, CLI, plotting, model selection) may import any.
"""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "rnnforecast"

# top-level part of the package -> the parts it may import from (besides itself)
ALLOWED = {
    "_kernels": set(),
    "utils": set(),
    "_files": set(), "_state_codec": set(),
    "persistence": {"_files", "_state_codec", "root"},
    "nn": {"_kernels", "utils"},
    "datasets": {"utils"},
    "metrics": {"utils"},
    "transformers": {"utils", "persistence"},
    "estimators": {"nn", "utils", "persistence"},
    "forecasting": {"nn", "utils", "persistence", "metrics", "baselines", "transformers"},
    "baselines": {"forecasting", "utils", "persistence", "metrics"},
}
# inside forecasting: neural may use the baselines (fallback); baselines may use
# only forecasting.base / forecasting.record, never the neural package.
BASELINES_MAY_USE = ("rnnforecast.forecasting.base", "rnnforecast.forecasting.record")


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield path, ".".join(parts)


def _imports(path, module):
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join(base + ([node.module] if node.module else []))
            elif node.module:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def _part(name):
    bits = name.split(".")
    return bits[1] if len(bits) > 1 else "root"


@pytest.mark.parametrize("path,module", list(_modules()), ids=lambda v: str(v))
def test_imports_go_downward(path, module):
    part = _part(module)
    if part not in ALLOWED:  # cli, benchmarking, plotting, ...: the top layer
        return
    bad = []
    for target in _imports(path, module):
        if not target.startswith("rnnforecast"):
            continue
        other = _part(target)
        if other in (part, "root") and not (part == "baselines" and other == "root"):
            continue
        if other not in ALLOWED[part]:
            bad.append(target)
        elif part == "baselines" and other == "forecasting" and not target.startswith(
                BASELINES_MAY_USE):
            bad.append(target)
    assert not bad, f"{module} imports upward or sideways: {bad}"


_ALONE = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for key in [k for k in sys.modules if k == "rnnforecast" or k.startswith("rnnforecast.")]:
        del sys.modules[key]          # numpy, pandas, sklearn stay loaded: cheap
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_alone():
    # each module imported first, with no other rnnforecast module loaded:
    # an import cycle shows up whatever the order the package normally uses
    names = [m for _, m in _modules()]
    proc = subprocess.run([sys.executable, "-c", _ALONE, *names], capture_output=True,
                          text=True, cwd=ROOT.parent)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
