"""Left-padded, variable-length batches on the fixed-length kernels.

A float batch ``X`` of shape (B, T, I) may mark missing history with NaN:
sample ``b`` is *left padded* when its first ``T - L_b`` time steps are
all-NaN and its last ``L_b >= 1`` steps are finite.  The network treats such
a sample exactly as PyTorch treats a packed sequence
(``torch.nn.utils.rnn.pack_padded_sequence``) of its ``L_b`` valid steps: the
padded steps do not exist, so the state is left unchanged over them, for
both directions of a bidirectional layer.

With a zero (or given) initial state, a left-padded sample behaves exactly
as the kernels run on its last ``L_b`` steps.  So no kernel knows about
padding: :func:`masked_forward` groups the samples of a batch by valid
length, runs the unchanged network on each group's trimmed sequences and
scatters the results back; :func:`masked_backward` does the same for the
gradients and sums the parameter gradients of the groups in a fixed order
(longest sequences first), so the result is bit-identical at any thread
count.  A batch without NaN never comes here, and most batches of a
windowed series hold one group, so their speed is unchanged.

Outputs at padded positions (a "sequence" head, or the last layer's
sequence without a head) are 0, as ``pad_packed_sequence`` pads; the
upstream gradient given there is ignored.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MaskedGroup", "masked_backward", "masked_forward", "padding_lengths"]

# Dropout keys of group g > 0 are offset by g << _GROUP_SHIFT in the ``step``
# key, so that samples of different groups never share a dropout mask
# (training steps stay far below 2**40).
_GROUP_SHIFT = 40


def _where(mask: np.ndarray) -> str:
    """'sample i, time step t' of the first True element of a (B, T) mask."""
    b, t = np.argwhere(mask)[0]
    return f"sample {b}, time step {t}"


def padding_lengths(X: np.ndarray, name: str = "X") -> np.ndarray | None:
    """Valid lengths of a left-padded float batch, or None if it has no NaN.

    Parameters
    ----------
    X : ndarray of shape (B, T, I), floating point
        Batch whose missing history is marked by all-NaN leading time steps.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    lengths : ndarray of shape (B,), dtype int64, or None
        ``lengths[b]`` is the number of valid (trailing) steps of sample
        ``b``; None when ``X`` holds no NaN at all.

    Raises
    ------
    ValueError
        If ``X`` holds an infinite value, a NaN that is not part of an
        all-NaN leading time step (a partly NaN step, or a NaN after a
        valid step), or a sample with no valid step.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[np.nan], [1.0], [2.0]], [[0.0], [1.0], [2.0]]])
    >>> padding_lengths(X)
    array([2, 3])
    >>> padding_lengths(np.zeros((2, 3, 1))) is None
    True
    """
    inf = np.isinf(X)
    if inf.any():
        raise ValueError(f"{name} contains NaN or infinite values: infinity at "
                         f"{_where(inf.any(axis=2))}.")
    nan = np.isnan(X)
    if not nan.any():
        return None
    padded = nan.all(axis=2)  # (B, T): all-NaN steps
    partly = nan.any(axis=2) & ~padded
    if partly.any():
        raise ValueError(
            f"{name} contains NaN or infinite values outside a left padding: {_where(partly)} "
            "is partly NaN. NaN may only mark missing history, as whole time steps at the "
            "start of a sequence (left padding).")
    B, T = padded.shape
    n_pad = padded.sum(axis=1)
    empty = n_pad == T
    if empty.any():
        raise ValueError(
            f"{name} contains NaN or infinite values: sample {np.flatnonzero(empty)[0]} has no "
            "valid time step (all NaN); a sequence needs at least one.")
    late = padded & (np.arange(T)[None, :] >= n_pad[:, None])
    if late.any():
        raise ValueError(
            f"{name} contains NaN or infinite values outside a left padding: {_where(late)} is "
            "NaN after a valid time step. NaN may only mark missing history, as whole time "
            "steps at the start of a sequence (left padding).")
    return (T - n_pad).astype(np.int64)


class MaskedGroup:
    """The samples of a masked batch with one valid length, and their forward pass.

    Parameters
    ----------
    rows : ndarray of int64
        Indices of the samples in the batch.
    length : int
        Their number of valid steps.
    result : ForwardResult
        The network's forward pass on their trimmed sequences.
    """

    def __init__(self, rows: np.ndarray, length: int, result):
        self.rows = rows
        self.length = length
        self.result = result


def _rows_of(a, rows):
    """``a[:, rows]`` for state-shaped arrays, None stays None."""
    return None if a is None else np.ascontiguousarray(a[:, rows])


def masked_forward(net, params, X, lengths, h0, c0, training, seed, step, chunk):
    """Forward pass of a left-padded batch, one network call per valid length.

    Parameters
    ----------
    net : RecurrentNetwork
    params, X, h0, c0, training, seed, step, chunk
        As :meth:`RecurrentNetwork.forward` (validated; ``h0``/``c0`` may be
        None for zeros; ``chunk`` None chooses from each group's size).
    lengths : ndarray of shape (B,), int
        Valid steps per sample (:func:`padding_lengths`).

    Returns
    -------
    output, h_n, c_n : ndarray
        As the fields of :class:`~rnnforecast.nn.network.ForwardResult`
        (0 at padded positions of sequence outputs).
    groups : list of MaskedGroup
        Longest valid length first (the order of the gradient sum).
    """
    B, T = X.shape[0], X.shape[1]
    groups = []
    output = h_n = c_n = None
    for g, length in enumerate(np.unique(lengths)[::-1]):
        rows = np.flatnonzero(lengths == length)
        L = int(length)
        Xg = np.ascontiguousarray(X[rows, T - L:])
        fr = net.forward(params, Xg, h0=_rows_of(h0, rows), c0=_rows_of(c0, rows),
                         training=training, seed=seed, step=step + (g << _GROUP_SHIFT),
                         chunk=chunk, check_input=False)
        if output is None:
            shape = (B,) + fr.output.shape[1:] if fr.output.ndim == 2 else \
                (B, T) + fr.output.shape[2:]
            output = np.zeros(shape, dtype=fr.output.dtype)
            h_n = np.empty((fr.h_n.shape[0], B, fr.h_n.shape[2]), dtype=fr.h_n.dtype)
            c_n = None if fr.c_n is None else np.empty_like(h_n)
        if output.ndim == 2:
            output[rows] = fr.output
        else:
            output[rows, T - L:] = fr.output
        h_n[:, rows] = fr.h_n
        if c_n is not None:
            c_n[:, rows] = fr.c_n
        groups.append(MaskedGroup(rows, L, fr))
    return output, h_n, c_n, groups


def masked_backward(net, params, X, groups, doutput, dh_n, dc_n, need_input_grad):
    """Backward pass of :func:`masked_forward`: per group, gradients summed in group order.

    Parameters
    ----------
    net : RecurrentNetwork
    params : ndarray
        The parameters given to the forward pass.
    X : ndarray of shape (B, T, I)
        The padded batch.
    groups : list of MaskedGroup
        From :func:`masked_forward`.
    doutput : ndarray
        Gradient w.r.t. the output (values at padded positions are ignored).
    dh_n, dc_n : ndarray of shape (num_layers * D, B, H) or None
    need_input_grad : bool

    Returns
    -------
    grad : ndarray of shape (n_params,)
    extras : dict
        "input" (B, T, I) with 0 at padded steps (or None), "h0" and "c0"
        (LSTM; else None) of shape (num_layers * D, B, H).
    """
    B, T = X.shape[0], X.shape[1]
    grad = dinput = dh0 = dc0 = None
    for grp in groups:
        rows, L = grp.rows, grp.length
        dout = doutput[rows] if doutput.ndim == 2 else doutput[rows, T - L:]
        g_grad, g_extras = net.backward(params, grp.result, np.ascontiguousarray(dout),
                                        _rows_of(dh_n, rows), _rows_of(dc_n, rows),
                                        need_input_grad=need_input_grad)
        if grad is None:
            grad = g_grad.copy()
            dh0 = np.empty((g_extras["h0"].shape[0], B, g_extras["h0"].shape[2]),
                           dtype=g_grad.dtype)
            dc0 = None if g_extras["c0"] is None else np.empty_like(dh0)
            if g_extras["input"] is not None:
                dinput = np.zeros(X.shape, dtype=g_grad.dtype)
        else:
            grad += g_grad
        dh0[:, rows] = g_extras["h0"]
        if dc0 is not None:
            dc0[:, rows] = g_extras["c0"]
        if dinput is not None:
            dinput[rows, T - L:] = g_extras["input"]
    return grad, {"input": dinput, "h0": dh0, "c0": dc0}
