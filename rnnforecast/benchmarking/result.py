"""What a benchmark returns: :class:`BenchmarkResult` (tables, scores, forecasts) and
:class:`ModelFailure`, with their text, Markdown and CSV renderings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from rnnforecast.benchmarking.models import BENCHMARK_METRICS

__all__ = ["BenchmarkResult", "ModelFailure"]


@dataclass(frozen=True)
class ModelFailure:
    """Where and why a model failed in a benchmark.

    Attributes
    ----------
    model : str
    window : int
        0-based window number.
    n_windows : int
        Number of windows of the benchmark.
    cutoff : object
        Label of the last training observation of that window.
    stage : str
        ``"fit"``, ``"predict"`` or ``"score"``.
    error : str
        ``"<ExceptionType>: <message>"`` of the original error.
    """

    model: str
    window: int
    n_windows: int
    cutoff: Any
    stage: str
    error: str

    def __str__(self) -> str:
        return (
            f"{self.model} failed in window {self.window + 1}/{self.n_windows} (0-based window "
            f"{self.window}, training data up to {_fmt_label(self.cutoff)}) at {self.stage}: {self.error}"
        )


@dataclass
class BenchmarkResult:
    """Outcome of :func:`run_benchmark`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model (index ``model``, in the order run): the mean over
        windows of ``mase``, ``smape``, ``rmse``, ``fit_seconds`` and
        ``predict_seconds``, then ``n_windows`` (windows completed) and
        ``status`` (``"ok"`` or the failure). A failed model's metrics are
        NaN and its ``status`` says which window failed.
    scores : pandas.DataFrame
        Per model and window: ``model``, ``window``, ``cutoff``,
        ``train_size``, the metrics and the timings.
    forecasts : pandas.DataFrame
        Long format: ``model``, ``window``, ``cutoff``, ``step``, ``time``,
        ``series``, ``y_true``, ``y_pred``.
    failures : dict of str to ModelFailure
        Models that failed.
    warnings : list of str
        Warnings raised while fitting or forecasting, prefixed by model and
        window (e.g. ARIMA convergence warnings).
    params : dict of str to str
        ``repr`` of each model's forecaster (its settings).
    horizon, n_windows, seasonal_period : int
        Benchmark settings.
    name : str
        Name of the series.
    y : pandas.Series or ndarray
        The series the models were evaluated on.
    warmup_seconds : dict of str to float
        Wall time of the untimed warm-up fit of each recurrent model
        (Numba compilation, or loading compiled code from the cache).
    coverage : float or None
        Nominal coverage of the prediction intervals scored in the table's
        ``coverage`` column (empirical coverage: the fraction of held-out
        values inside each model's interval, NaN for a model without
        ``predict_interval``); None if intervals were not scored.
    """

    table: pd.DataFrame
    scores: pd.DataFrame
    forecasts: pd.DataFrame
    failures: dict[str, ModelFailure]
    warnings: list[str]
    params: dict[str, str]
    horizon: int
    n_windows: int
    seasonal_period: int
    name: str
    y: Any = field(repr=False, default=None)
    warmup_seconds: dict[str, float] = field(default_factory=dict)
    coverage: float | None = None

    # ------------------------------------------------------------------ output
    def best(self) -> dict[str, str]:
        """Model with the lowest value of each table column (NaN ignored)."""
        out = {}
        for col in (*BENCHMARK_METRICS, "fit_seconds", "predict_seconds"):
            s = self.table[col].dropna()
            if len(s):
                out[col] = str(s.idxmin())
        return out

    def _display_rows(self, bold: bool) -> tuple[list[str], list[list[str]]]:
        headers = ["model", "MASE", "sMAPE", "RMSE", "fit s", "predict s"]
        cols = [*BENCHMARK_METRICS, "fit_seconds", "predict_seconds"]
        if self.coverage is not None:
            headers.append(f"{100 * self.coverage:g}% coverage")
            cols.append("coverage")
        best = self.best()
        rows = []
        for model, row in self.table.iterrows():
            cells = [str(model)]
            if row["status"] != "ok":
                cells += [f"FAILED (window {self.failures[model].window + 1}/{self.n_windows})"] + ["-"] * (len(cols) - 1)
                rows.append(cells)
                continue
            for col in cols:
                if col == "coverage":
                    cells.append("-" if math.isnan(row[col]) else f"{row[col]:.2f}")
                    continue
                text = _fmt_number(row[col], seconds=col.endswith("seconds"))
                if best.get(col) == model:
                    text = f"**{text}**" if bold else f"{text} *"
                cells.append(text)
            rows.append(cells)
        return headers, rows

    def _notes(self) -> list[str]:
        notes = [
            f"{self.n_windows} window(s) x horizon {self.horizon}, expanding training window, "
            f"refitted at every window; metrics and timings are means over the windows "
            f"(fit s / predict s: seconds per window); MASE scaled by the in-sample seasonal "
            f"naive error with period {self.seasonal_period}; sMAPE on the 0-200 scale.",
        ]
        if self.coverage is not None:
            notes.append(
                f"coverage: fraction of the held-out values inside each model's "
                f"{100 * self.coverage:g}% prediction interval (predict_interval), over all windows "
                "and steps; compare with the nominal level ('-': the model has no intervals)."
            )
        if self.warmup_seconds:
            notes.append(
                "untimed warm-up fit (1 epoch) of each recurrent model before its first window, so that "
                "'fit s' excludes Numba compilation / cache loading: "
                + ", ".join(f"{m} {s:.1f} s" for m, s in self.warmup_seconds.items())
            )
        notes += [f"FAILED: {f}" for f in self.failures.values()]
        notes += [f"warning: {w}" for w in self.warnings]
        return notes

    def format_text(self) -> str:
        """The table as aligned plain text; ``*`` marks the best value of each column."""
        headers, rows = self._display_rows(bold=False)
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
        title = f"{self.name}: {len(self.table)} model(s), {self.n_windows} window(s) x horizon {self.horizon}"
        lines = [title, ""]
        lines.append("  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(headers, widths))))
        lines.append("  ".join("-" * w for w in widths))
        for r in rows:
            lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
        lines.append("")
        lines.append("* = best (lowest) in its column. " + self._notes()[0])
        lines += self._notes()[1:]
        return "\n".join(lines)

    def to_markdown(self, title: str | None = None, level: int = 2) -> str:
        """The table as Markdown (best value of each column in bold), with notes and settings.

        Parameters
        ----------
        title : str or None, default=None
            Heading; defaults to the series name and settings.
        level : int, default=2
            Heading level.

        Returns
        -------
        str
        """
        headers, rows = self._display_rows(bold=True)
        title = title or f"{self.name}: horizon {self.horizon}, {self.n_windows} window(s)"
        out = [f"{'#' * level} {title}", ""]
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|")
        out += ["| " + " | ".join(r) + " |" for r in rows]
        out.append("")
        out.append("Bold = best (lowest) in its column. " + self._notes()[0])
        for n in self._notes()[1:]:
            out.append(f"- {n}")
        out.append("")
        out.append("Model settings:")
        out.append("")
        for model, p in self.params.items():
            out.append(f"- `{model}`: `{p}`")
        return "\n".join(out) + "\n"

    def to_csv(self, path: Any) -> None:
        """Write :attr:`table` (full precision, with the ``status`` column) as CSV.

        The file is replaced atomically and never written through a symbolic
        link (:func:`rnnforecast._files.write_text`).
        """
        from rnnforecast._files import write_text

        write_text(path, self.table.to_csv(index=True))


def _fmt_label(label: Any) -> str:
    if isinstance(label, pd.Timestamp):
        return str(label.date()) if label == label.normalize() else str(label)
    return str(label)


def _fmt_number(x: float, seconds: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if seconds:
        return f"{x:.3f}" if x < 10 else f"{x:.1f}"
    ax = abs(x)
    if ax != 0 and (ax < 1e-3 or ax >= 1e6):
        return f"{x:.3e}"
    return f"{x:.3f}" if ax < 100 else f"{x:.1f}"
