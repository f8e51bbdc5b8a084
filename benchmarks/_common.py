"""Helpers shared by the benchmark scripts: machine facts and table output.

Nothing here imports the package or torch, so the JIT-cost script can use it
without paying for either import.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys

# Environment variables that change how BLAS / OpenMP / Numba behave.
_ENV_KEYS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
             "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER", "NUMBA_CACHE_DIR",
             "RNNFORECAST_NUMBA_CACHE")


def cpu_model() -> str:
    """The ``model name`` line of /proc/cpuinfo (or platform's guess)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> str:
    """AVX2 / FMA / AVX-512 presence, from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    have = [f for f in ("avx2", "fma", "avx512f") if f in flags]
                    return "+".join(have) or "none of avx2/fma/avx512f"
    except OSError:
        pass
    return "unknown"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def load() -> str:
    """1/5/15-minute load averages as text."""
    try:
        return "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())
    except OSError:  # pragma: no cover
        return "unavailable"


def env_settings() -> str:
    """The BLAS/OpenMP/Numba environment variables that are set (or 'none')."""
    found = [f"{k}={os.environ[k]}" for k in _ENV_KEYS if k in os.environ]
    return ", ".join(found) if found else "none set"


def now() -> str:
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


def command_line() -> str:
    return "python " + " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])


def print_header(load_before: str) -> None:
    """Print the script and date, the command, the CPU, the load before the run and the
    BLAS/OpenMP/Numba environment: the first lines of every benchmark's output."""
    print(f"{os.path.basename(sys.argv[0])}  {now()}")
    print(f"command: {command_line()}")
    print(f"CPU: {cpu_model()} ({cpu_flags()}), {cores()} cores available")
    print(f"load average (1/5/15 min) before: {load_before}")
    print(f"environment: {env_settings()}")


def median(values):
    return statistics.median(values)


class Table:
    """A titled table that prints as aligned text and as Markdown."""

    def __init__(self, title, headers, notes=()):
        self.title = title
        self.headers = list(headers)
        self.rows = []
        self.notes = list(notes)

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def text(self) -> str:
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
                  for i, h in enumerate(self.headers)]
        line = "  ".join(h.ljust(w) for h, w in zip(self.headers, widths))
        out = [self.title, "-" * len(self.title), line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in self.rows]
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)

    def markdown(self) -> str:
        out = [f"#### {self.title}", "", "| " + " | ".join(self.headers) + " |",
               "|" + "|".join("---" for _ in self.headers) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        if self.notes:
            out.append("")
            out += [f"- {n}" for n in self.notes]
        return "\n".join(out)


def finish(tables, load_before, markdown_path=None):
    """Print ``tables`` and the load after them; also write them as Markdown to
    ``markdown_path`` (when given) under a header with the date, command, CPU, load
    and environment."""
    load_after = load()
    print()
    for t in tables:
        print(t.text() + "\n")
    print(f"load average (1/5/15 min) after: {load_after}")
    if markdown_path:
        write_markdown(markdown_path,
                       [f"date: {now()}", f"command: `{command_line()}`",
                        f"CPU: {cpu_model()} ({cpu_flags()}), {cores()} cores available",
                        f"load average (1/5/15 min): before {load_before}, after {load_after}",
                        f"environment: {env_settings()}"], tables)
        print(f"Markdown written to {markdown_path}")


def write_markdown(path, header_lines, tables):
    """Write ``header_lines`` (a bullet list) and the tables as one Markdown file."""
    with open(path, "w") as f:
        for line in header_lines:
            f.write(f"- {line}\n")
        for t in tables:
            f.write("\n" + t.markdown() + "\n")


def m4_cut(m4, every: int, split: str):
    """Every ``every``-th series of a loaded M4 subset (``rnnforecast.datasets.load_m4``) and its
    scoring split: ``"test"`` the published test values, ``"val"`` the last horizon of each
    training series (the training part then ends one horizon earlier).

    Returns ``(idx, train, test)``: the series numbers and two lists of 1-D arrays.
    """
    idx = list(range(0, len(m4.ids), every))
    train = [m4.train[i] for i in idx]
    test = [m4.test[i] for i in idx]
    if split == "val":
        test = [x[-m4.horizon:] for x in train]
        train = [x[:-m4.horizon] for x in train]
    return idx, train, test
