"""The fast path behind :meth:`RecurrentNetwork.predict`: packed weights and the mat-vec kernels.

:func:`packed_weights` turns a flat parameter vector into the layout of
:mod:`rnnforecast._kernels.infer` (transposed, contiguous weight matrices,
summed biases, the head in float64).  Packing costs about as much as a
prediction, so it is cached: one entry per network, holding a copy of the
parameter vector it was packed from; each call compares the given vector with
that copy bit for bit (a vectorised kernel, ~1 µs for 17k parameters) and
packs again when anything differs, so a weight changed in place is always
seen.  The cache lives in this module, keyed by the network's identity (an
entry is dropped when its network is garbage collected), not on the network,
so networks are saved and copied without it.

Inputs are validated by the network before they get here.

The kernels compile lazily: a fit compiles only the training kernels (unless it
validates), so the first packing of a cell in a dtype in a process announces
the compilation of its inference kernel with
:func:`~rnnforecast.nn.warmup.announce_compile` (nothing is printed when the
kernel is in Numba's cache).  The network-level ``predict`` has no
``verbose``: the line is printed (to stderr) unless the network was last
trained by a fit with ``verbose=0`` (:func:`set_compile_verbose`, called by
:func:`~rnnforecast.nn.warmup.prepare_kernels`).
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

from .._kernels import infer as kinfer
from .layout import GATES, recurrent_names
from .threads import run_chunks

__all__ = ["Packed", "applies", "packed_weights", "predict_packed", "set_compile_verbose"]

# Samples per chunk when a prediction is spread over the kernel threads (every
# sample runs on its own, so results do not depend on it or on the thread count).
_CHUNK = 8
# id(network) -> (weak reference to it, Packed); an entry goes when its network does
_CACHE: dict = {}
_LOCK = threading.Lock()
# (cell, dtype) whose inference kernel was checked for a first compilation in this process
_SEEN: set = set()
# id(network) -> (weak reference to it, verbose of its last fit)
_VERBOSE: dict = {}


def set_compile_verbose(net, verbose) -> None:
    """Remember the ``verbose`` of the fit of ``net``, for the notice of a first compilation."""
    with _LOCK:
        _VERBOSE[id(net)] = (weakref.ref(net, _forget(id(net), _VERBOSE)), verbose)


def _first_use(net) -> None:
    """Announce the compilation of the inference kernel of ``net``'s cell and dtype, once."""
    key = (net.cell, np.dtype(net.dtype).str)
    if key in _SEEN:
        return
    from .warmup import announce_compile  # warmup imports this module

    hit = _VERBOSE.get(id(net))
    verbose = hit[1] if hit is not None and hit[0]() is net else None
    announce_compile(net.cell, net.dtype, verbose, part="predict")
    _SEEN.add(key)


class Packed:
    """Packed weights of one parameter vector (see :mod:`rnnforecast._kernels.infer`).

    Attributes: ``raw`` (uint32 view of a private copy of the parameters it was
    built from), ``packed``, ``offs`` (int64), ``head_w`` (float64 (O, D*H)),
    ``head_b`` (float64 (O,)), ``kernel`` (callable(X, c_lo, c_hi, out): the
    cell's kernel with every other argument bound), ``checked`` (whether the
    parameters passed the caller's check).
    """

    __slots__ = ("raw", "packed", "offs", "head_w", "head_b", "kernel", "checked")

    def __init__(self, net, raw, packed, offs, head_w, head_b):
        self.checked = False
        self.raw = raw
        self.packed = packed
        self.offs = offs
        self.head_w = head_w
        self.head_b = head_b
        self.kernel = _bind(net, packed, offs, head_w, head_b)


_KERNELS = {"lstm": kinfer.lstm_predict, "gru": kinfer.gru_predict, "rnn": kinfer.rnn_predict}


def _bind(net, packed, offs, head_w, head_b):
    fn = _KERNELS[net.cell]
    H, D = net.hidden_size, net.num_directions
    final = net.head == "final_state"
    relu = net.nonlinearity == "relu"

    def kernel(X, lo, hi, out):
        fn(X, packed, offs, H, D, final, relu, head_w, head_b, _CHUNK, lo, hi, out)
    return kernel


def applies(net) -> bool:
    """Whether the fast path serves ``net`` (float input, a head with one row per sample)."""
    return not net.vocab_size and net.output_size > 0 and net.head != "sequence"


def _aligned(a: np.ndarray, align: int = 64) -> np.ndarray:
    """A C-contiguous copy of the 1-D ``a`` whose data start on an ``align``-byte boundary.

    numpy's allocator gives 16-byte alignment; the one-series kernels stream these
    weights with AVX2 loads, and a start off the cache-line boundary made a whole
    process's predictions slower (LSTM, H = 64: 27.6-31.9 µs against 23.6-25.1 µs per
    call, RNN 11.0-11.3 against 9.7-9.9 µs; ``benchmarks/speed.py --inference-only``,
    ``benchmarks/README.md``).
    """
    item = a.dtype.itemsize
    buf = np.empty(a.size + align // item, dtype=a.dtype)
    start = (-buf.ctypes.data % align) // item
    out = buf[start:start + a.size]
    out[:] = a
    return out


def _pack(net, params) -> Packed:
    """Build the packed weights of ``params`` (checked by the caller)."""
    _first_use(net)
    H, D, L = net.hidden_size, net.num_directions, net.num_layers
    G = GATES[net.cell] * H
    views = net.layout.views(params)
    parts, offs, pos = [], [], 0
    for k in range(L):
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = (views[n] for n in recurrent_names(k, d))
            if net.cell == "gru":
                bias = np.concatenate([b_ih, b_hh])
            else:  # summed as the training kernels sum them
                bias = np.concatenate([b_ih + b_hh, np.zeros(G, net.dtype)])
            block = np.concatenate([w_ih.T.ravel(), w_hh.T.ravel(), bias])
            parts.append(block)
            offs.append(pos)
            pos += block.size
    packed = _aligned(np.concatenate(parts).astype(net.dtype, copy=False))
    raw = np.array(params).view(np.uint32)
    return Packed(net, raw, packed, np.array(offs, dtype=np.int64),
                  np.ascontiguousarray(views["fc.weight"], dtype=np.float64),
                  np.ascontiguousarray(views["fc.bias"], dtype=np.float64))


def _forget(key, table=_CACHE):
    def callback(_ref):
        with _LOCK:
            table.pop(key, None)
    return callback


def packed_weights(net, params, check=None) -> Packed:
    """The packed weights of ``params`` for ``net``, from the cache when ``params`` is unchanged.

    Parameters
    ----------
    net : RecurrentNetwork
    params : ndarray (n_params,), the network's dtype, C-contiguous (may be read-only).
    check : callable(params) or None
        Called on ``params`` unless these very parameters already passed it (an
        entry packed by a caller that gave no check is checked at the next call
        that gives one).
    """
    key = id(net)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is net \
            and kinfer.params_unchanged(params.view(np.uint32), hit[1].raw):
        entry = hit[1]
    else:
        entry = _pack(net, params)
        with _LOCK:
            _CACHE[key] = (weakref.ref(net, _forget(key)), entry)
    if check is not None and not entry.checked:  # packed unchecked by an internal caller
        check(params)
        entry.checked = True
    return entry


def predict_packed(pk: Packed, X: np.ndarray) -> np.ndarray:
    """Head outputs (N, O) in float64 of the float batch ``X`` (validated, C-contiguous,
    writeable, the network's dtype) with the packed weights ``pk``."""
    N = X.shape[0]
    out = np.empty((N, pk.head_b.shape[0]), dtype=np.float64)
    if N <= _CHUNK:
        pk.kernel(X, 0, 1, out)
    else:
        run_chunks(lambda lo, hi: pk.kernel(X, lo, hi, out), -(-N // _CHUNK))
    return out
