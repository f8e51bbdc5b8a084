"""A stacked, optionally bidirectional recurrent network on the Numba kernels.

:class:`RecurrentNetwork` owns the architecture, validates inputs, allocates
buffers and calls the kernels in :mod:`rnnforecast._kernels`; parameters live in
one flat vector (see :class:`~rnnforecast.nn.layout.ParameterLayout`) so that
gradient reduction, clipping and the optimisers work on a single array.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from .._kernels.optim import all_finite as _all_finite
from . import _predict as _fast
from ._dispatch import backward_kernels, check_array as _check_array, forward_kernels
from .layout import GATES, ParameterLayout
from .masked import masked_forward, padding_lengths
from ..utils.validation import check_int

CELLS = tuple(GATES)
HEADS = ("last", "final_state", "sequence")
DTYPES = {np.dtype(np.float32), np.dtype(np.float64)}
# A chunk is the unit of parallel work; its size depends on the batch size only,
# so that the arithmetic (and hence every bit of the result) is the same at any
# thread count.  32 samples per chunk keeps the per-step GEMMs efficient
# (measured: 8 and 16 are slower, 64 no faster); small batches are halved so
# that two threads still have work.
_MAX_CHUNK = 32
_MIN_CHUNK = 8


def default_chunk(batch_size: int) -> int:
    """Samples per chunk for a batch of ``batch_size`` samples (thread-count independent)."""
    return min(_MAX_CHUNK, max(_MIN_CHUNK, -(-batch_size // 2)))


@dataclass
class ForwardResult:
    """What :meth:`RecurrentNetwork.forward` returns.

    Attributes
    ----------
    output : ndarray
        Head output, (B, O) for heads "last"/"final_state", (B, T, O) for
        "sequence"; without a head, the last layer's sequence (B, T, D*H).
    h_n : ndarray (num_layers * D, B, H)
    c_n : ndarray (num_layers * D, B, H) or None (LSTM only).
    """

    output: np.ndarray
    h_n: np.ndarray
    c_n: np.ndarray | None
    _saved: dict = field(default_factory=dict, repr=False)


class RecurrentNetwork:
    """Architecture of an (embedding →) recurrent stack (→ linear head) network.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    input_size : int
        Features per time step (ignored, must equal ``embedding_dim``, when an
        embedding is used).
    hidden_size : int
    num_layers : int, default 1
    bidirectional : bool, default False
    nonlinearity : {"tanh", "relu"}, default "tanh"
        Only for ``cell="rnn"``.
    dropout : float in [0, 1), default 0
        Dropout on the outputs of every layer but the last (training only).
    output_size : int, default 1
        Width of the linear head; 0 for no head (the network then outputs the
        last layer's sequence).
    head : {"last", "final_state", "sequence"}, default "last"
        "last": the head sees ``out[:, -1, :]`` (PyTorch's ``fc(out[:, -1, :])``);
        "final_state": the concatenated final states of the last layer's
        directions (``cat(h_n[-2], h_n[-1])`` when bidirectional);
        "sequence": the head is applied at every step.
    head_dropout : float in [0, 1), default 0
        Dropout on the head's input (training only).
    vocab_size, embedding_dim : int, default 0
        When both are positive the input holds integer token ids (B, T) and an
        embedding table comes first.
    dtype : numpy float dtype, default float32

    Examples
    --------
    Parameters are one flat vector; ``state_dict`` gives PyTorch's names and
    shapes (an LSTM has four gates, hence ``4 * hidden_size`` rows):

    >>> import numpy as np
    >>> from rnnforecast.nn import RecurrentNetwork
    >>> net = RecurrentNetwork("lstm", input_size=1, hidden_size=8, output_size=1)
    >>> params = net.init_params(seed=0)
    >>> net.n_params, params.dtype
    (361, dtype('float32'))
    >>> {name: a.shape for name, a in net.state_dict(params).items()}  # doctest: +NORMALIZE_WHITESPACE
    {'weight_ih_l0': (32, 1), 'weight_hh_l0': (32, 8), 'bias_ih_l0': (32,),
     'bias_hh_l0': (32,), 'fc.weight': (1, 8), 'fc.bias': (1,)}
    >>> net.forward(params, np.zeros((4, 12, 1), np.float32)).output.shape
    (4, 1)
    """

    def __init__(self, cell, input_size, hidden_size, num_layers=1, bidirectional=False,
                 nonlinearity="tanh", dropout=0.0, output_size=1, head="last", head_dropout=0.0,
                 vocab_size=0, embedding_dim=0, dtype=np.float32):
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}; got {cell!r} instead.")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu'; got {nonlinearity!r} instead.")
        if nonlinearity == "relu" and cell != "rnn":
            raise ValueError(f"nonlinearity='relu' is only available for cell='rnn'; got cell={cell!r}.")
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}; got {head!r} instead.")
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise TypeError(f"bidirectional must be a bool; got {bidirectional!r} instead.")
        for name, p in (("dropout", dropout), ("head_dropout", head_dropout)):
            if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
                raise TypeError(f"{name} must be a float in [0, 1); got {p!r} instead.")
            if not 0.0 <= p < 1.0:
                raise ValueError(f"{name} must be a float in [0, 1); got {p!r} instead.")
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"dtype must be float32 or float64; got {dtype!r} instead.") from None
        if dt not in DTYPES:
            raise TypeError(f"dtype must be float32 or float64; got {dt} instead.")
        self.cell = cell
        self.hidden_size = check_int(hidden_size, "hidden_size", 1)
        self.num_layers = check_int(num_layers, "num_layers", 1)
        self.vocab_size = check_int(vocab_size, "vocab_size", 0)
        self.embedding_dim = check_int(embedding_dim, "embedding_dim", 0)
        if (self.vocab_size == 0) != (self.embedding_dim == 0):
            raise ValueError("vocab_size and embedding_dim must be both positive or both 0; "
                             f"got vocab_size={vocab_size}, embedding_dim={embedding_dim}.")
        if self.vocab_size:
            input_size = self.embedding_dim if input_size is None else input_size
            if input_size != self.embedding_dim:
                raise ValueError("with an embedding, input_size must equal embedding_dim; got "
                                 f"input_size={input_size}, embedding_dim={embedding_dim}.")
        self.input_size = check_int(input_size, "input_size", 1)
        self.bidirectional = bool(bidirectional)
        self.nonlinearity = nonlinearity
        self.dropout = float(dropout)
        self.head_dropout = float(head_dropout)
        self.output_size = check_int(output_size, "output_size", 0)
        self.head = head
        self.dtype = dt
        self.num_directions = 2 if self.bidirectional else 1
        self.layout = ParameterLayout(
            cell, self.input_size, self.hidden_size, self.num_layers, self.bidirectional,
            self.output_size, self.hidden_size * self.num_directions, self.vocab_size,
            self.embedding_dim)

    # ------------------------------------------------------------------ parameters
    @property
    def n_params(self) -> int:
        """Number of scalar parameters."""
        return self.layout.size

    def init_params(self, seed, forget_bias=None) -> np.ndarray:
        """Fresh parameters drawn as PyTorch draws them.

        Recurrent weights and biases ~ U(-1/sqrt(H), 1/sqrt(H)); the head's
        weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the embedding
        ~ N(0, 1).  Drawn in float64 from ``numpy.random.default_rng(seed)``,
        then cast, so float32 and float64 start from the same values.

        Parameters
        ----------
        seed : int or numpy SeedSequence-compatible
        forget_bias : float or None
            LSTM only.  When given, the forget-gate biases are set so that
            ``bias_ih + bias_hh`` equals it in every layer and direction
            (``bias_ih`` gets the value, ``bias_hh`` zero).  PyTorch's default
            is None (random); 1.0 (Keras' ``unit_forget_bias``) or more keeps
            gradients alive over long sequences.
        """
        if forget_bias is not None and self.cell != "lstm":
            raise ValueError(f"forget_bias is only used by cell='lstm'; got cell={self.cell!r}.")
        rng = np.random.default_rng(seed)
        flat = np.empty(self.layout.size, dtype=np.float64)
        k_rec = 1.0 / np.sqrt(self.hidden_size)
        for b in self.layout.blocks:
            if b.name == "embedding.weight":
                flat[b.offset:b.stop] = rng.standard_normal(b.size)
            elif b.name.startswith("fc."):
                k = 1.0 / np.sqrt(self.layout.by_name["fc.weight"].shape[1])
                flat[b.offset:b.stop] = rng.uniform(-k, k, b.size)
            else:
                flat[b.offset:b.stop] = rng.uniform(-k_rec, k_rec, b.size)
        if forget_bias is not None:
            if isinstance(forget_bias, bool) or not isinstance(forget_bias, numbers.Real) \
                    or not np.isfinite(forget_bias):
                raise TypeError(f"forget_bias must be a finite float; got {forget_bias!r} instead.")
            H = self.hidden_size
            for b in self.layout.blocks:
                if b.name.startswith("bias_"):
                    value = float(forget_bias) if b.name.startswith("bias_ih") else 0.0
                    flat[b.offset + H:b.offset + 2 * H] = value
        return flat.astype(self.dtype)

    def state_dict(self, params) -> dict[str, np.ndarray]:
        """PyTorch-layout copy of ``params``: name → ndarray (copies, not views)."""
        params = self._check_params(params)
        return {k: v.copy() for k, v in self.layout.views(params).items()}

    def load_state_dict(self, state: dict) -> np.ndarray:
        """Flat parameter vector from a PyTorch-layout dict of arrays.

        Accepts numpy arrays or anything ``np.asarray`` turns into one (e.g. a
        ``torch.Tensor`` converted by the caller).  Every name must be present
        with the exact shape; unknown names are refused.
        """
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of arrays; got {type(state).__name__} instead.")
        names = set(self.layout.by_name)
        unknown = sorted(set(state) - names)
        missing = sorted(names - set(state))
        if unknown or missing:
            raise ValueError(f"state keys do not match the architecture: missing {missing}, "
                             f"unexpected {unknown}.")
        flat = np.empty(self.layout.size, dtype=self.dtype)
        for b in self.layout.blocks:
            a = np.asarray(state[b.name])
            if a.shape != b.shape:
                raise ValueError(f"state[{b.name!r}] must have shape {b.shape}; got {a.shape} instead.")
            if a.dtype.kind != "f":
                raise TypeError(f"state[{b.name!r}] must be floating point; got {a.dtype} instead.")
            if not np.isfinite(a).all():
                raise ValueError(f"state[{b.name!r}] contains NaN or infinite values.")
            flat[b.offset:b.stop] = a.ravel()
        return flat

    def _check_params(self, params):
        return _check_array("params", params, (self.layout.size,), self.dtype)

    # ------------------------------------------------------------------ validation
    def check_input(self, X) -> np.ndarray:
        """Validate an input batch: float (B, T, input_size) or int token ids (B, T).

        A float batch may be left padded with NaN (see :mod:`rnnforecast.nn.masked`);
        any other NaN, an infinity or a sample without a valid step is a ValueError.
        """
        if self.vocab_size:
            if not isinstance(X, np.ndarray) or X.dtype.kind not in "iu":
                got = X.dtype if isinstance(X, np.ndarray) else type(X).__name__
                raise TypeError(f"X must be an integer ndarray of token ids; got {got} instead.")
            if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
                raise ValueError(f"X must have shape (n_samples, n_timesteps); got {X.shape} instead.")
            if X.min() < 0 or X.max() >= self.vocab_size:
                raise ValueError(f"token ids in X must lie in [0, {self.vocab_size}); got values in "
                                 f"[{X.min()}, {X.max()}].")
            return np.ascontiguousarray(X, dtype=np.int64)
        X = _check_array("X", X, (None, None, self.input_size), self.dtype, finite=False)
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"X must have at least one sample and one time step; got {X.shape}.")
        # all finite (one kernel call, ~0.3 µs; the kernels take writeable arrays), or
        # left padding validated (the NaN steps) and anything else refused
        if not (X.flags.writeable and _all_finite(X.reshape(-1))):
            padding_lengths(X)
        return X

    def _check_states(self, name, s, B):
        L = self.num_layers * self.num_directions
        if s is None:
            return np.zeros((L, B, self.hidden_size), dtype=self.dtype)
        return _check_array(name, s, (L, B, self.hidden_size), self.dtype)

    # ------------------------------------------------------------------ forward
    def forward(self, params, X, h0=None, c0=None, training=False, seed=0, step=0,
                chunk=None, check_input=True, workspace=None) -> ForwardResult:
        """Run the network on a batch.

        Parameters
        ----------
        params : ndarray (n_params,), dtype of the network.
        X : ndarray (B, T, input_size) of the network's dtype, or int (B, T)
            token ids when the network has an embedding.  A float batch may be
            left padded with all-NaN time steps: each sample then runs on its
            valid steps only, as a packed sequence in PyTorch (see
            :mod:`rnnforecast.nn.masked`).
        h0, c0 : ndarray (num_layers * D, B, H) or None (zeros).  ``c0`` is LSTM only.
        training : bool
            Apply dropout (keyed on ``seed``, ``step``, sample, layer, time, unit).
        seed, step : int
            Keys of the dropout generator.
        chunk : int or None
            Samples per parallel chunk; None chooses from B alone.
        check_input : bool
            Validate ``params``/``X``/states (skip only for data already validated).
        workspace : rnnforecast.nn._workspace.Workspace or None
            Keep the layer outputs and saved activations in the workspace's arrays, which the
            next call with the same workspace overwrites (the training loop's steps); None: new
            arrays.  Unpadded batches only (a left-padded batch allocates as before).
        """
        if check_input:
            params = self._check_params(params)
            X = self.check_input(X)
            if c0 is not None and self.cell != "lstm":
                raise ValueError(f"c0 is only used by cell='lstm'; got cell={self.cell!r}.")
        B = X.shape[0]
        h0 = self._check_states("h0", h0, B) if (check_input or h0 is None) else h0
        if self.cell == "lstm":
            c0 = self._check_states("c0", c0, B) if (check_input or c0 is None) else c0
        lengths = padding_lengths(X) if X.dtype.kind == "f" else None
        if lengths is not None:
            output, h_n, c_n, groups = masked_forward(self, params, X, lengths, h0, c0,
                                                      training, seed, step, chunk)
            saved = {"X": X, "groups": groups,
                     "chunk": default_chunk(B) if chunk is None else chunk}
            return ForwardResult(output, h_n, c_n, saved)
        chunk = default_chunk(B) if chunk is None else chunk
        return ForwardResult(*forward_kernels(self, params, X, h0, c0, training, seed, step,
                                              chunk, workspace))

    def head_features(self, last, h_n):
        """What the linear head sees, as (B, R, D*H) with R = T for "sequence", else 1.

        Parameters
        ----------
        last : ndarray (B, T, D*H), the last layer's output sequence.
        h_n : ndarray (num_layers * D, B, H), the final states.
        """
        B, T, DH = last.shape
        if self.head == "sequence":
            return last
        if self.head == "last":
            return np.ascontiguousarray(last[:, T - 1:T, :])
        D = self.num_directions
        top = h_n[(self.num_layers - 1) * D:]
        return np.ascontiguousarray(np.concatenate(list(top), axis=1)[:, None, :])

    # ------------------------------------------------------------------ prediction
    def _headless(self) -> "RecurrentNetwork":
        """The same recurrent stack without head or dropout (built per call, never cached)."""
        return RecurrentNetwork(
            self.cell, self.input_size, self.hidden_size, num_layers=self.num_layers,
            bidirectional=self.bidirectional, nonlinearity=self.nonlinearity, dropout=0.0,
            output_size=0, head=self.head, vocab_size=self.vocab_size,
            embedding_dim=self.embedding_dim, dtype=self.dtype)

    def predict(self, params, X, *, batch: int = 1024, check_input: bool = True) -> np.ndarray:
        """Head outputs in float64, independent of how samples are batched.

        Every sample runs on its own, so its arithmetic is the same whatever
        else is in the batch, and the linear head is applied in float64.
        Dropout is off.  A float input runs on the mat-vec kernels of
        :mod:`rnnforecast._kernels.infer` with weights packed once per
        parameter vector (cached; a change of ``params``, in place or not, is
        detected bit for bit on every call); token ids (an embedding) run on
        the batch kernels of :meth:`forward`, sample by sample (``chunk=1``).

        Parameters
        ----------
        params : ndarray of shape (n_params,), dtype of the network
            May be read-only (e.g. a memmap); it is not modified.
        X : ndarray
            Float (N, T, input_size) of the network's dtype (left padding with
            NaN allowed, see :meth:`forward`), or int (N, T) token ids.
        batch : int, default 1024
            Samples per forward call of the embedding path (bounds its
            buffers; the result does not depend on it).
        check_input : bool, default True
            Validate ``params`` and ``X``.  ``False`` is for internal callers
            that pass arrays already validated (``params`` C-contiguous of the
            right shape and dtype with finite recurrent weights, ``X`` as
            returned by :meth:`check_input`): the per-call cost is then the
            kernel and the cache's bit comparison only.

        Returns
        -------
        ndarray of shape (N, output_size), float64

        Examples
        --------
        >>> import numpy as np
        >>> from rnnforecast.nn import RecurrentNetwork
        >>> net = RecurrentNetwork("gru", input_size=2, hidden_size=3, output_size=1)
        >>> params = net.init_params(seed=0)
        >>> X = np.random.default_rng(0).normal(size=(5, 4, 2)).astype(np.float32)
        >>> out = net.predict(params, X)
        >>> out.shape, out.dtype
        ((5, 1), dtype('float64'))
        >>> bool((net.predict(params, X[:1]) == out[:1]).all())  # batch-independent
        True
        >>> params[-1] += 1.0  # the head's bias, changed in place: seen at the next call
        >>> bool(np.allclose(net.predict(params, X), out + 1.0))
        True
        """
        if check_input:
            if self.output_size == 0 or self.head == "sequence":
                raise ValueError("predict needs a head that gives one output row per sample "
                                 f"(head 'last' or 'final_state', output_size >= 1); got "
                                 f"head={self.head!r}, output_size={self.output_size}.")
            if not (type(batch) is int and batch >= 1):
                batch = check_int(batch, "batch", 1)
            # non-finite weights: the recurrent ones are refused, the head's give
            # non-finite outputs (callers check them)
            params = _check_array("params", params, (self.layout.size,), self.dtype,
                                  finite=False)
            if not isinstance(X, np.ndarray):
                raise TypeError(f"X must be a numpy.ndarray; got {type(X).__name__} instead.")
        if not _fast.applies(self):
            return self._predict_by_forward(params, X, batch)
        pk = _fast.packed_weights(self, params, self._check_recurrent if check_input else None)
        if check_input:
            X = self.check_input(X)
        if not X.flags.writeable:  # the kernels are compiled for writeable arrays
            X = X.copy()
        return _fast.predict_packed(pk, X)

    def _check_recurrent(self, params):
        """Refuse NaN or infinite recurrent weights (the head's may be non-finite)."""
        stop = self.layout.by_name["fc.weight"].offset
        _check_array("params", params[:stop], (stop,), self.dtype)

    def _predict_by_forward(self, params, X, batch):
        """:meth:`predict` on the batch kernels (token ids): a head-less :meth:`forward` per
        ``batch`` samples with ``chunk=1``, then the head in float64."""
        body = self._headless()
        views = self.layout.views(params)
        # gathered by name (a fresh, writeable, C-contiguous copy: the kernels are
        # compiled for writeable arrays and fitted weights may be read-only)
        rec = np.concatenate([views[b.name].ravel() for b in body.layout.blocks])
        w = views["fc.weight"].astype(np.float64)
        b = views["fc.bias"].astype(np.float64)
        N = X.shape[0]
        out = np.empty((N, self.output_size), dtype=np.float64)
        for start in range(0, N, batch):
            fr = body.forward(rec, X[start:start + batch], chunk=1)
            feat = body.head_features(fr.output, fr.h_n)[:, 0, :]
            out[start:start + feat.shape[0]] = feat.astype(np.float64) @ w.T + b
        return out

    # ------------------------------------------------------------------ backward
    def backward(self, params, fr: ForwardResult, doutput, dh_n=None, dc_n=None,
                 need_input_grad=False):
        """Gradients of a scalar loss, given its gradient w.r.t. the forward outputs.

        Parameters
        ----------
        params : the parameters given to :meth:`forward`.
        fr : the :class:`ForwardResult` of that call.
        doutput : ndarray shaped like ``fr.output``.
        dh_n, dc_n : ndarray (num_layers * D, B, H) or None (zeros).
        need_input_grad : bool
            Also return the gradient w.r.t. a float input X.

        Returns
        -------
        grad : ndarray (n_params,), the network dtype.
        extras : dict with "input" (or None), "h0" and "c0" (LSTM; else None).
        """
        return backward_kernels(self, params, fr, doutput, dh_n, dc_n, need_input_grad)
