"""Where each parameter lives in the flat parameter vector.

Names, shapes and order follow PyTorch's ``state_dict`` for
``nn.Embedding`` (``embedding.weight``), ``nn.RNN/GRU/LSTM``
(``weight_ih_l{k}[_reverse]``, ``weight_hh_…``, ``bias_ih_…``, ``bias_hh_…``)
and ``nn.Linear`` (``fc.weight``, ``fc.bias``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GATES = {"rnn": 1, "gru": 3, "lstm": 4}


@dataclass(frozen=True)
class Block:
    """One named parameter: its PyTorch name, shape and offset in the flat vector."""

    name: str
    shape: tuple
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def stop(self) -> int:
        return self.offset + self.size


def recurrent_names(layer: int, direction: int) -> tuple[str, str, str, str]:
    """PyTorch names of (weight_ih, weight_hh, bias_ih, bias_hh) for one layer/direction."""
    sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
    return (f"weight_ih{sfx}", f"weight_hh{sfx}", f"bias_ih{sfx}", f"bias_hh{sfx}")


class ParameterLayout:
    """Ordered blocks of a network's parameters in one flat vector.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    input_size, hidden_size, num_layers : int
    bidirectional : bool
    output_size : int
        Width of the linear head (0 for no head).
    head_input_size : int
        Input width of the head.
    vocab_size, embedding_dim : int
        Embedding table shape (0, 0 for no embedding).
    """

    def __init__(self, cell, input_size, hidden_size, num_layers, bidirectional, output_size,
                 head_input_size, vocab_size=0, embedding_dim=0):
        G = GATES[cell] * hidden_size
        dirs = 2 if bidirectional else 1
        specs = []
        if vocab_size:
            specs.append(("embedding.weight", (vocab_size, embedding_dim)))
        for k in range(num_layers):
            in_k = input_size if k == 0 else hidden_size * dirs
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh = recurrent_names(k, d)
                specs += [(w_ih, (G, in_k)), (w_hh, (G, hidden_size)), (b_ih, (G,)), (b_hh, (G,))]
        if output_size:
            specs += [("fc.weight", (output_size, head_input_size)), ("fc.bias", (output_size,))]
        blocks = []
        offset = 0
        for name, shape in specs:
            blocks.append(Block(name, tuple(int(s) for s in shape), offset))
            offset += blocks[-1].size
        self.blocks = tuple(blocks)
        self.by_name = {b.name: b for b in blocks}
        self.size = offset
        self._slices = tuple((b.name, b.offset, b.stop, b.shape) for b in blocks)

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Views of ``flat`` reshaped per block (writes go through to ``flat``)."""
        return {name: flat[start:stop].reshape(shape) for name, start, stop, shape in self._slices}

    def offsets(self, layer: int, direction: int) -> np.ndarray:
        """int64 offsets of (weight_ih, weight_hh, bias_ih, bias_hh) of one layer/direction."""
        return np.array([self.by_name[n].offset for n in recurrent_names(layer, direction)],
                        dtype=np.int64)
