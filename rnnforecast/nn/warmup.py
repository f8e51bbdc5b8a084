"""Compile the kernels ahead of first use, and say so when it happens.

Numba compiles a kernel the first time it meets a new combination of argument
types and, with caching on (the default, see
:mod:`rnnforecast._kernels.config`), stores the machine code on disk.  Running
:func:`warmup` once after installation moves that one-off cost out of the first
``fit``.  Without it, :func:`prepare_kernels` (called by the estimators before
their progress bar starts) compiles what a fit needs with a tiny training step
and, unless told to be silent, prints one line first (:func:`announce_compile`),
so a first fit neither sits silent nor shows a progress bar whose first epoch
includes the compilation.
"""

from __future__ import annotations

import sys
import time

import numba
import numpy as np

from .._kernels import config as kconfig
from .._kernels import gru as kgru
from .._kernels import infer as kinfer
from .._kernels import lstm as klstm
from .._kernels import rnn as krnn
from . import _predict as _fast
from .network import CELLS, RecurrentNetwork
from .threads import kernel_threads
from ..utils.validation import check_quantile_levels
from .training import SGD, Adam, compute_loss, make_optimizer, train_step

__all__ = ["announce_compile", "kernels_ready", "prepare_kernels", "warmup", "warmup_parallel"]

_KERNELS = {"lstm": (klstm.lstm_forward, klstm.lstm_backward),
            "gru": (kgru.gru_forward, kgru.gru_backward),
            "rnn": (krnn.rnn_forward, krnn.rnn_backward)}
# the inference kernels (RecurrentNetwork.predict): a fit only needs them with a
# validation set (early stopping); otherwise they compile at the first predict
_PREDICT_KERNELS = {"lstm": kinfer.lstm_predict, "gru": kinfer.gru_predict,
                    "rnn": kinfer.rnn_predict}
_PARTS = ("all", "train", "predict")
# Compile time (s) of one cell in one dtype with an empty cache, rounded up from the
# process CPU time measured with `benchmarks/jit_cost.py --parts` (float32, 2-core
# machine shared at load ~8; compilation is single-threaded, so on a quiet machine the
# wall time is about this CPU time): "first", the training kernels of the first cell
# with the head, loss and optimiser kernels (4.5-6.5 s CPU); "more", those of a
# further cell (1.6-4.3 s); "predict", the inference kernel (2.3-3.3 s).
_COMPILE_SECONDS = {"first": 7, "more": 5, "predict": 4}


def _compiled_for(dispatcher, dtype, on_disk):
    """Whether ``dispatcher`` has a signature whose first argument has ``dtype``: among
    the compiled ones (``on_disk=False``) or in Numba's cache index (``on_disk=True``)."""
    if on_disk:
        sigs = [key[0] for key in dispatcher._cache._cache_file._load_index()]
    else:
        sigs = dispatcher.signatures
    return any(getattr(sig[0], "dtype", None) == dtype for sig in sigs)


def _kernels_of(cell, part="all"):
    if part not in _PARTS:
        raise ValueError(f"part must be one of {', '.join(_PARTS)}; got {part!r}.")
    train = _KERNELS[cell] if part != "predict" else ()
    return train + ((_PREDICT_KERNELS[cell],) if part != "train" else ())


def _compiled_in_process(cell, dtype, part="all"):
    nb_dtype = numba.from_dtype(np.dtype(dtype))
    return all(_compiled_for(k, nb_dtype, on_disk=False) for k in _kernels_of(cell, part))


def _compile_predict(cell, dtype, read_only=False):
    """Compile (or load) the inference kernel of ``cell`` in ``dtype`` and the check of its
    weight cache, on a small stand-in network (so that any network's fit can call it);
    ``read_only``: also the check's variant for read-only parameters."""
    net = RecurrentNetwork(cell, 1, 2, output_size=1, dtype=dtype)
    params = net.init_params(0)
    X = np.zeros((2, 2, 1), dtype=dtype)
    net.predict(params, X)
    net.predict(params, X)  # a cache hit: compiles the bit comparison
    if read_only:
        params.flags.writeable = False
        net.predict(params, X)


def kernels_ready(cell, dtype, part="all"):
    """Whether the kernels of ``cell`` in ``dtype`` need no compilation.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    dtype : {"float32", "float64"} or numpy dtype
    part : {"all", "train", "predict"}, default="all"
        The training kernels (forward and backward), the inference kernel of
        :meth:`~rnnforecast.nn.RecurrentNetwork.predict`, or both.

    Returns
    -------
    bool or None
        True: compiled in this process or found in Numba's on-disk cache;
        False: they will be compiled on first use; None: unknown (the cache
        index could not be read).

    Examples
    --------
    >>> from rnnforecast.nn.warmup import kernels_ready
    >>> kernels_ready("lstm", "float64") in (True, False, None)
    True
    """
    kernels = _kernels_of(cell, part)
    if _compiled_in_process(cell, dtype, part):
        return True
    nb_dtype = numba.from_dtype(np.dtype(dtype))
    if not kconfig.CACHE:
        return False
    try:
        return all(_compiled_for(k, nb_dtype, on_disk=True) for k in kernels)
    except Exception:  # noqa: BLE001 - private Numba API; unknown is a safe answer
        return None


def announce_compile(cell, dtype, verbose=None, file=None, part="train"):
    """Print one line when the kernels of ``cell`` in ``dtype`` are about to be compiled.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    dtype : {"float32", "float64"} or numpy dtype
    verbose : None, bool or int, default=None
        ``0``/``False`` set explicitly: print nothing.  ``None`` (the
        estimators' default) or anything true: print the line.
    file : text stream or None
        Where to print; None: ``sys.stderr`` (so that doctests and piped
        standard output are unaffected).
    part : {"train", "predict"}, default="train"
        The training kernels (before a fit) or the inference kernel (before
        the first prediction of the cell in the dtype).

    Returns
    -------
    bool
        Whether a line was printed.

    Examples
    --------
    >>> from rnnforecast.nn.warmup import announce_compile
    >>> announce_compile("gru", "float32", verbose=0)
    False
    """
    if part not in ("train", "predict"):
        raise ValueError(f"part must be 'train' or 'predict'; got {part!r}.")
    if verbose is not None and not verbose:
        return False
    if kernels_ready(cell, dtype, part) is not False:
        return False
    dt = str(np.dtype(dtype))
    if part == "predict":
        what, seconds = f"{cell.upper()} inference kernel ({dt})", _COMPILE_SECONDS["predict"]
    else:
        others = [c for c in CELLS if c != cell and kernels_ready(c, dt, "train")]
        what = f"{cell.upper()} kernels ({dt})"
        seconds = _COMPILE_SECONDS["more" if others else "first"]
    obj = "it" if part == "predict" else "them"
    later = (f"later runs load {obj} from the cache" if kconfig.CACHE else
             f"the cache is off (RNNFORECAST_NUMBA_CACHE=0), so every new process compiles {obj}")
    print(f"rnnforecast: compiling the {what} once, ~{seconds} s; "
          f"{later} (`rnnforecast warmup` compiles all of them ahead of time).",
          file=sys.stderr if file is None else file, flush=True)
    return True


def prepare_kernels(net, *, loss="mse", solver="adam", quantiles=None, verbose=None,
                    predict=True):
    """Compile (or load) every kernel a fit of ``net`` uses, before its first real step.

    Announces a compilation with :func:`announce_compile`, then runs one
    training step and one forward pass on a two-sample batch with a copy of
    fresh parameters (``net`` itself is not changed) and, with ``predict``, one
    :meth:`~rnnforecast.nn.RecurrentNetwork.predict` of a small stand-in
    network of the same cell and dtype (the inference kernel).  When the kernels are
    already compiled in this process, returns at once.  Estimators call it
    before their progress bar starts, so that the bar's time estimate never
    includes the compilation; they pass ``predict=False`` unless the fit
    validates (early stopping), and the inference kernel then compiles at the
    first prediction, announced with ``verbose`` as given here (see
    :mod:`rnnforecast.nn._predict`).

    Parameters
    ----------
    net : RecurrentNetwork
    loss : str, default="mse"
        As for :func:`~rnnforecast.nn.training.compute_loss`.
    solver : {"adam", "sgd"}, default="adam"
    quantiles : array-like or None
        Levels of ``loss="pinball"``.
    verbose : None, bool or int, default=None
        Passed to :func:`announce_compile` (0/False set explicitly: silent), now
        and at the first prediction of ``net``.
    predict : bool, default=True
        Also compile the inference kernel (a fit that predicts on a validation set).

    Returns
    -------
    bool
        Whether a compilation was announced.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.nn import RecurrentNetwork
    >>> from rnnforecast.nn.warmup import prepare_kernels
    >>> net = RecurrentNetwork("rnn", input_size=1, hidden_size=4, dtype=np.float64)
    >>> prepare_kernels(net, verbose=0)
    False
    """
    dt = net.dtype
    _fast.set_compile_verbose(net, verbose)
    if _compiled_in_process(net.cell, dt, "all" if predict else "train"):
        return False
    announced = announce_compile(net.cell, dt, verbose)
    if predict and not announced:  # one line: the training kernels' one, if any
        announced = announce_compile(net.cell, dt, verbose, part="predict")
    rng = np.random.default_rng(0)
    B, T = 2, 2
    if net.vocab_size:
        X = rng.integers(0, net.vocab_size, size=(B, T)).astype(np.int64)
    else:
        X = rng.standard_normal((B, T, net.input_size)).astype(dt)
    q = None if quantiles is None else check_quantile_levels(quantiles)
    O = net.output_size // (1 if q is None else q.size)
    lead = (B, T) if net.head == "sequence" else (B,)
    if loss == "cross_entropy":
        Y = np.zeros(B, dtype=np.int64)
    elif not net.output_size:
        Y = rng.standard_normal((B, T, net.num_directions * net.hidden_size)).astype(dt)
    else:
        Y = rng.standard_normal(lead + (O,)).astype(dt)
    params = net.init_params(0)
    opt = make_optimizer(solver, net.n_params, dt, 1e-3)
    with kernel_threads(1):
        train_step(net, params, opt, X, Y, loss=loss, clip_grad_norm=1.0, quantiles=q)
        net.forward(params, X)
        if predict:
            _compile_predict(net.cell, dt)
    return announced

DEFAULT_DTYPES = ("float32", "float64")


def warmup(cells=CELLS, dtypes=DEFAULT_DTYPES, bidirectional=(False, True), verbose=False):
    """Compile (or load from the cache) every kernel a training run and a prediction use.

    Parameters
    ----------
    cells : iterable of {"rnn", "gru", "lstm"}
    dtypes : iterable of {"float32", "float64"}
    bidirectional : iterable of bool
    verbose : bool
        Print one line per (cell, dtype) with its time.

    Returns
    -------
    dict
        ``(cell, dtype) -> seconds``.
    """
    timings = {}
    rng = np.random.default_rng(0)
    with kernel_threads(None):
        for dtype in dtypes:
            for cell in cells:
                start = time.perf_counter()
                for bi in bidirectional:
                    # two layers with dropout: every kernel of a training step is used
                    net = RecurrentNetwork(cell, 2, 3, num_layers=2, bidirectional=bi, dropout=0.1,
                                           output_size=1, dtype=dtype)
                    params = net.init_params(0)
                    X = rng.standard_normal((4, 3, 2)).astype(dtype)
                    Y = rng.standard_normal((4, 1)).astype(dtype)
                    for opt in (Adam(net.n_params, net.dtype), SGD(net.n_params, net.dtype)):
                        train_step(net, params, opt, X, Y, clip_grad_norm=1.0, clip_grad_value=1.0,
                                   step=1)
                    net.forward(params, X)
                _compile_predict(cell, dtype, read_only=True)
                if cell == next(iter(cells)):
                    # the other losses (train_step above used MSE), once per dtype
                    pred = rng.standard_normal((4, 3)).astype(dtype)
                    compute_loss("mae", pred, pred[:, :1].repeat(3, axis=1))
                    compute_loss("huber", pred, pred[:, :1].repeat(3, axis=1))
                    compute_loss("pinball", pred, pred[:, :1], quantiles=[0.1, 0.5, 0.9])
                    compute_loss("cross_entropy", pred, np.array([0, 1, 2, 0], dtype=np.int64))
                timings[(cell, str(np.dtype(dtype)))] = time.perf_counter() - start
                if verbose:
                    print(f"{cell:5s} {np.dtype(dtype)!s:8s} {timings[(cell, str(np.dtype(dtype)))]:6.2f} s",
                          flush=True)
    return timings


# Parallel warmup: one worker process per group of cells, never per dtype.  Numba's
# cache (numba/core/caching.py, IndexDataCacheFile.save) gives a new signature of a
# function the first data-file number its index does not use, then rewrites the
# index; two processes adding *different* signatures to one function at once can
# give both the same number (one data file, two keys).  Kernels of one cell are
# only compiled by the worker of that cell.  The kernels shared by all cells (heads,
# losses, optimisers, dropout) are compiled by every worker in the same order
# (float32 then float64, the same calls), so each index only ever holds a prefix
# of one sequence of signatures, number i always meaning the i-th one, and a data
# file written twice gets the same signature's code (written atomically with
# os.replace).  The workers report the order of their signatures and the parent
# checks this; a function whose orders are not one the prefix of the other loses
# its cache index and is compiled again in the parent.
_WORKER = r"""
import json, sys, time
from rnnforecast.nn.warmup import _signature_orders, warmup
t = warmup(cells=sys.argv[1].split(","), dtypes=sys.argv[2].split(","))
print(json.dumps({"timings": [[c, d, s] for (c, d), s in t.items()],
                  "orders": _signature_orders(), "cpu": time.process_time()}))
"""
# CPU seconds of one cell's kernels in both dtypes beyond the shared ones
# (`benchmarks/jit_cost.py --parts`, training + inference kernels, x2 dtypes)
_COST = {"lstm": 14, "gru": 12, "rnn": 8}


def _kernel_dispatchers():
    """``module.name -> dispatcher`` of every cached Numba kernel of :mod:`rnnforecast._kernels`."""
    import importlib
    import pkgutil

    from numba.core.dispatcher import Dispatcher

    from .. import _kernels
    found = {}
    for info in pkgutil.iter_modules(_kernels.__path__):
        mod = importlib.import_module(f"{_kernels.__name__}.{info.name}")
        for name, obj in vars(mod).items():
            if isinstance(obj, Dispatcher) and getattr(obj, "_cache", None) is not None \
                    and obj.__module__ == mod.__name__:
                found[f"{mod.__name__}.{name}"] = obj
    return found


def _signature_orders():
    """``kernel -> [signature, ...]`` in the order this process compiled or loaded them."""
    return {name: [str(sig) for sig in d.signatures]
            for name, d in _kernel_dispatchers().items() if d.signatures}


def _conflicts(orders):
    """Kernels whose signature orders (one list per worker) are not prefixes of each other."""
    bad = set()
    for name in {n for o in orders for n in o}:
        seqs = sorted((o[name] for o in orders if name in o), key=len)
        if any(s != seqs[-1][:len(s)] for s in seqs):
            bad.add(name)
    return sorted(bad)


def _groups(cells, jobs):
    """Split ``cells`` into at most ``jobs`` groups of about equal compile cost (the costliest
    cell first, each to the cheapest group so far)."""
    groups = [[] for _ in range(min(jobs, len(cells)))]
    for cell in sorted(cells, key=lambda c: -_COST[c]):
        min(groups, key=lambda g: sum(_COST[c] for c in g)).append(cell)
    return [g for g in groups if g]


def warmup_parallel(cells=CELLS, dtypes=DEFAULT_DTYPES, jobs=2, verbose=False):
    """:func:`warmup` in ``jobs`` fresh worker processes, the cells split between them.

    Each worker compiles its cells in every dtype (float32 first); see the
    comment above for why the split is by cell and how the cache stays
    consistent.  ``jobs=1``: :func:`warmup` in this process.

    Parameters
    ----------
    cells : iterable of {"rnn", "gru", "lstm"}
    dtypes : iterable of {"float32", "float64"}
    jobs : int
        Worker processes (at most one per cell).
    verbose : bool
        Print one line per (cell, dtype) with its time in its worker.

    Returns
    -------
    dict
        ``(cell, dtype) -> seconds`` (in the worker that compiled it).
    """
    import json
    import os
    import subprocess

    cells, dtypes = list(cells), [str(np.dtype(d)) for d in dtypes]
    if not (isinstance(jobs, int) and jobs >= 1):
        raise ValueError(f"jobs must be an int >= 1; got {jobs!r}.")
    groups = _groups(cells, jobs)
    if len(groups) == 1:
        return warmup(cells, dtypes, verbose=verbose)
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in [root, env.get("PYTHONPATH")] if p)
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, ",".join(g), ",".join(dtypes)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for g in groups]
    results = []
    for g, p in zip(groups, procs):
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"warmup worker for {','.join(g)} failed:\n{err.strip()}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    timings = {(c, d): s for r in results for c, d, s in r["timings"]}
    bad = _conflicts([r["orders"] for r in results])
    if bad:  # never seen; repaired rather than trusted
        dispatchers = _kernel_dispatchers()
        for name in bad:
            try:
                os.remove(dispatchers[name]._cache._cache_file._index_path)
            except OSError:
                pass
        warmup(cells, dtypes)
    if verbose:
        for (c, d), s in sorted(timings.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            print(f"{c:5s} {d:8s} {s:6.2f} s", flush=True)
        for g, r in zip(groups, results):
            print(f"worker {','.join(g)}: {r['cpu']:.2f} s CPU", flush=True)
        if bad:
            print(f"recompiled in one process (signature orders differed): {', '.join(bad)}",
                  flush=True)
    return timings
