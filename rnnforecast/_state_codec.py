"""Generic encoder/decoder of a fitted model's state into JSON + plain arrays (no pickle).

Used by :mod:`rnnforecast.persistence`. :func:`encode` walks a value and
returns a JSON-able tree in which every NumPy array is replaced by a
reference to an entry of an ``arrays`` dict (saved with :func:`numpy.savez`;
numeric, boolean, datetime and unicode dtypes only, never ``object``).
:func:`decode` rebuilds the value, checking each array's dtype and shape
against what was recorded. What the walker knows:

* ``None``, bool, int, float (non-finite ones tagged), str; lists, tuples and
  dicts (any encodable keys), NumPy arrays, scalars, dtypes and scalar types;
* pandas ``Timestamp``, ``Timedelta``, ``Period``, ``DateOffset`` (a frequency
  that round-trips through its string), ``Index`` (range, datetime, period,
  numeric or labels), ``Series`` and ``DataFrame``;
* scikit-learn estimators (any ``BaseEstimator`` from ``sklearn`` or
  ``rnnforecast``): their ``get_params(deep=False)`` and every attribute
  ending in ``_`` (fitted attributes, including private ones such as
  ``_y_fit_``);
* other objects of classes defined in ``rnnforecast`` (dataclasses and plain
  state holders such as ``RecurrentNetwork``): their ``__dict__``.

Anything else (a function, a random generator, an object of another library)
is refused with a :class:`TypeError` that names where it was found. Decoding
imports only classes from the ``rnnforecast`` and ``sklearn`` packages and
creates them without running their ``__init__`` (as pickle would, but limited
to those classes and with no code taken from the file).
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["encode", "decode", "StateError", "ALLOWED_PACKAGES"]

ALLOWED_PACKAGES = ("rnnforecast", "sklearn")
_ARRAY_KINDS = "biufcMmU"
T = "$t"


class StateError(ValueError):
    """A stored state that cannot be decoded (message names the place in the state)."""


# --------------------------------------------------------------------------- helpers
def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _allowed_module(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in ALLOWED_PACKAGES)


def _resolve_class(path: str, where: str) -> type:
    module, _, qualname = str(path).partition(":")
    if not _allowed_module(module) or not qualname:
        raise StateError(f"{where}: class {path!r} is not from {' or '.join(ALLOWED_PACKAGES)}; "
                         "refusing to create it")
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise StateError(f"{where}: class {path!r} does not exist in this version of "
                         f"{module.split('.')[0]}") from None
    if not isinstance(obj, type):
        raise StateError(f"{where}: {path!r} is not a class")
    return obj


def _is_estimator(value: Any) -> bool:
    from sklearn.base import BaseEstimator

    return isinstance(value, BaseEstimator)


def _object_state(value: Any) -> dict[str, Any]:
    """Attributes saved for an object (see the module docstring)."""
    if _is_estimator(value):
        params = value.get_params(deep=False)
        state = {k: v for k, v in vars(value).items() if k.endswith("_") and not k.startswith("__")}
        for name in params:  # parameters under their own names, as __init__ stored them
            if name in vars(value):
                state[name] = vars(value)[name]
        return state
    if hasattr(value, "__dict__"):
        return dict(vars(value))
    if dataclasses.is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError("no __dict__")


# --------------------------------------------------------------------------- encode
class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, a: np.ndarray, where: str) -> dict:
        if a.dtype.kind not in _ARRAY_KINDS or a.dtype.hasobject:
            raise TypeError(f"{where}: arrays of dtype {a.dtype} cannot be saved without pickle")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = a if a.flags.c_contiguous else np.array(a, order="C")
        finite = bool(np.isfinite(a).all()) if a.dtype.kind in "fc" else True
        return {T: "nd", "key": key, "dtype": a.dtype.str, "shape": list(a.shape), "finite": finite}

    def values(self, s: pd.Series | pd.Index, where: str) -> dict:
        dtype = s.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcMm":
            return {T: "vals", "dtype": str(dtype), "data": self.array(np.asarray(s), where)}
        return {T: "vals", "dtype": str(dtype),
                "list": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(list(s))]}

    def index(self, idx: pd.Index, where: str) -> dict:
        name = self.encode(idx.name, f"{where}.name")
        if isinstance(idx, pd.MultiIndex):
            raise TypeError(f"{where}: a MultiIndex cannot be saved")
        if isinstance(idx, pd.RangeIndex):
            return {T: "range", "start": idx.start, "stop": idx.stop, "step": idx.step, "name": name}
        freq = None if getattr(idx, "freq", None) is None else self.encode(idx.freq, f"{where}.freq")
        if isinstance(idx, pd.DatetimeIndex):
            tz = None if idx.tz is None else str(idx.tz)
            naive = idx if idx.tz is None else idx.tz_convert("UTC").tz_localize(None)
            return {T: "dtindex", "values": self.array(naive.to_numpy(), where), "tz": tz,
                    "freq": freq, "name": name}
        if isinstance(idx, pd.PeriodIndex):
            return {T: "pindex", "ordinals": self.array(idx.asi8.copy(), where),
                    "freq": self.encode(idx.freq, f"{where}.freq"), "name": name}
        if isinstance(idx, pd.TimedeltaIndex):
            return {T: "tdindex", "values": self.array(idx.to_numpy(), where), "freq": freq,
                    "name": name}
        return {T: "index", "values": self.values(idx, where), "name": name}

    def encode(self, value: Any, where: str) -> Any:  # noqa: C901 - one dispatch table
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic):
            if value.dtype.kind not in _ARRAY_KINDS:
                raise TypeError(f"{where}: NumPy scalar of dtype {value.dtype} cannot be saved")
            return {T: "npscalar", "value": self.array(np.asarray(value), where)}
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {T: "float", "v": repr(value)}
        if isinstance(value, np.ndarray):
            return self.array(value, where)
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple) and type(value) is tuple:
            return {T: "tuple", "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if type(value) is dict:
            return {T: "dict", "items": [[self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                                         for k, v in value.items()]}
        if isinstance(value, np.dtype):
            return {T: "dtype", "v": value.str}
        if isinstance(value, type) and issubclass(value, np.generic):
            return {T: "nptype", "v": np.dtype(value).str}
        return self.encode_pandas_or_object(value, where)

    def encode_pandas_or_object(self, value: Any, where: str) -> Any:
        if isinstance(value, pd.Timestamp):
            return {T: "timestamp", "iso": value.isoformat(), "tz": None if value.tz is None else str(value.tz)}
        if isinstance(value, pd.Timedelta):
            return {T: "timedelta", "iso": value.isoformat()}
        if isinstance(value, pd.Period):
            return {T: "period", "v": str(value), "freq": value.freqstr}
        if isinstance(value, pd.offsets.BaseOffset):
            text = value.freqstr
            if pd.tseries.frequencies.to_offset(text) != value:
                raise TypeError(f"{where}: frequency {value!r} cannot be saved as text")
            return {T: "offset", "v": text}
        if isinstance(value, pd.Index):
            return self.index(value, where)
        if isinstance(value, pd.api.extensions.ExtensionDtype):
            if pd.api.types.pandas_dtype(str(value)) != value:
                raise TypeError(f"{where}: pandas dtype {value!r} cannot be saved as text")
            return {T: "pdtype", "v": str(value)}
        if isinstance(value, pd.Series):
            return {T: "series", "index": self.index(value.index, f"{where}.index"),
                    "values": self.values(value, where), "name": self.encode(value.name, f"{where}.name")}
        if isinstance(value, pd.DataFrame):
            return {T: "frame", "index": self.index(value.index, f"{where}.index"),
                    "columns": self.index(value.columns, f"{where}.columns"),
                    "data": [self.values(value.iloc[:, j], f"{where}[{c!r}]")
                             for j, c in enumerate(value.columns)]}
        cls = type(value)
        if not _allowed_module(cls.__module__) or isinstance(value, type) or callable(value) \
                and not _is_estimator(value):
            raise TypeError(f"{where}: cannot save an object of type {cls.__module__}.{cls.__qualname__} "
                            "(only arrays, numbers, strings, containers, pandas objects and "
                            "rnnforecast/scikit-learn estimators and state objects)")
        try:
            state = _object_state(value)
        except TypeError:
            raise TypeError(f"{where}: cannot save {cls.__qualname__} (no attribute dictionary)") from None
        return {T: "object", "class": _class_path(cls),
                "state": [[k, self.encode(v, f"{where}.{k}")] for k, v in state.items()]}


def encode(value: Any, where: str = "model") -> tuple[Any, dict[str, np.ndarray]]:
    """Encode ``value`` as ``(json_tree, arrays)``; raises TypeError for what cannot be saved."""
    enc = _Encoder()
    tree = enc.encode(value, where)
    return tree, enc.arrays


# --------------------------------------------------------------------------- decode
class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], check_object=None) -> None:
        self.arrays = arrays
        self.used: set[str] = set()
        self.check_object = check_object

    def array(self, node: dict, where: str) -> np.ndarray:
        key = node.get("key")
        if key not in self.arrays:
            raise StateError(f"{where}: array {key!r} is missing from the arrays file")
        a = self.arrays[key]
        self.used.add(key)
        if a.dtype.str != node.get("dtype") or list(a.shape) != list(node.get("shape", [])):
            raise StateError(f"{where}: array {key!r} has dtype {a.dtype.str} and shape "
                             f"{tuple(a.shape)}; the model description says {node.get('dtype')} "
                             f"and {tuple(node.get('shape', []))} (shape mismatch)")
        if node.get("finite") and a.dtype.kind in "fc" and not np.isfinite(a).all():
            raise StateError(f"{where}: array {key!r} holds NaN or infinite values although "
                             "the saved model's were finite")
        return a

    def values(self, node: dict, where: str) -> Any:
        if "data" in node:
            return self.array(node["data"], where)
        items = [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node["list"])]
        if node["dtype"] != "object":
            return pd.array(items, dtype=node["dtype"])
        out = np.empty(len(items), dtype=object)
        for i, v in enumerate(items):  # element by element: tuples stay tuples
            out[i] = v
        return out

    def index(self, node: dict, where: str) -> pd.Index:
        kind, name = node[T], self.decode(node.get("name"), f"{where}.name")
        if kind == "range":
            return pd.RangeIndex(node["start"], node["stop"], node["step"], name=name)
        freq = self.decode(node.get("freq"), f"{where}.freq")
        if kind == "dtindex":
            idx = pd.DatetimeIndex(self.array(node["values"], where), name=name)
            if node.get("tz"):
                idx = idx.tz_localize("UTC").tz_convert(node["tz"])
            return pd.DatetimeIndex(idx, freq=freq) if freq is not None else idx
        if kind == "pindex":
            ordinals = self.array(node["ordinals"], where)
            return pd.PeriodIndex(pd.arrays.PeriodArray(ordinals, dtype=pd.PeriodDtype(freq)), name=name)
        if kind == "tdindex":
            return pd.TimedeltaIndex(self.array(node["values"], where), freq=freq, name=name)
        return pd.Index(self.values(node["values"], where), name=name, tupleize_cols=False)

    def decode(self, node: Any, where: str) -> Any:  # noqa: C901 - one dispatch table
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node)]
        if not isinstance(node, dict) or T not in node:
            raise StateError(f"{where}: unexpected entry {str(node)[:60]!r}")
        kind = node[T]
        if kind == "nd":
            return self.array(node, where)
        if kind == "npscalar":
            return self.array(node["value"], where)[()]
        if kind == "float":
            if node.get("v") not in ("nan", "inf", "-inf"):
                raise StateError(f"{where}: bad float {node.get('v')!r}")
            return float(node["v"])
        if kind == "tuple":
            return tuple(self.decode(v, f"{where}[{i}]") for i, v in enumerate(node["items"]))
        if kind == "dict":
            out = {}
            for k, v in node["items"]:
                key = self.decode(k, f"{where} key")
                out[key] = self.decode(v, f"{where}[{key!r}]")
            return out
        if kind in ("dtype", "nptype"):
            dt = np.dtype(node["v"])
            if dt.kind not in _ARRAY_KINDS:
                raise StateError(f"{where}: dtype {node['v']!r} is not allowed")
            return dt if kind == "dtype" else dt.type
        if kind == "pdtype":
            dt = pd.api.types.pandas_dtype(node["v"])
            if not isinstance(dt, pd.api.extensions.ExtensionDtype):
                raise StateError(f"{where}: {node['v']!r} is not a pandas dtype")
            return dt
        if kind == "timestamp":
            ts = pd.Timestamp(node["iso"])
            return ts.tz_convert(node["tz"]) if node.get("tz") else ts
        if kind == "timedelta":
            return pd.Timedelta(node["iso"])
        if kind == "period":
            return pd.Period(node["v"], freq=node["freq"])
        if kind == "offset":
            return pd.tseries.frequencies.to_offset(node["v"])
        if kind in ("range", "dtindex", "pindex", "tdindex", "index"):
            return self.index(node, where)
        if kind == "series":
            return pd.Series(self.values(node["values"], where), index=self.index(node["index"], where),
                             name=self.decode(node.get("name"), f"{where}.name"), copy=False)
        if kind == "frame":
            columns = self.index(node["columns"], f"{where}.columns")
            index = self.index(node["index"], f"{where}.index")
            data = {j: self.values(col, f"{where}[{j}]") for j, col in enumerate(node["data"])}
            frame = pd.DataFrame(data, index=index)
            frame.columns = columns
            return frame
        if kind == "object":
            return self.object(node, where)
        raise StateError(f"{where}: unknown entry type {kind!r}")

    def object(self, node: dict, where: str) -> Any:
        cls = _resolve_class(node.get("class"), where)
        if not (_is_estimator_class(cls) or _allowed_module(cls.__module__)
                and cls.__module__.startswith("rnnforecast")):
            raise StateError(f"{where}: class {node.get('class')!r} is not an estimator or an "
                             "rnnforecast state class")
        obj = cls.__new__(cls)
        for key, value in node["state"]:
            if not isinstance(key, str) or key.startswith("__"):
                raise StateError(f"{where}: bad attribute name {key!r}")
            object.__setattr__(obj, key, self.decode(value, f"{where}.{key}"))
        if self.check_object is not None:
            self.check_object(obj, where)
        return obj


def _is_estimator_class(cls: type) -> bool:
    from sklearn.base import BaseEstimator

    return issubclass(cls, BaseEstimator)


def decode(tree: Any, arrays: dict[str, np.ndarray], check_object=None, where: str = "model") -> Any:
    """Rebuild what :func:`encode` encoded; ``check_object(obj, where)`` vets each object."""
    dec = _Decoder(arrays, check_object)
    value = dec.decode(tree, where)
    unused = sorted(set(arrays) - dec.used)
    if unused:
        raise StateError(f"the arrays file holds arrays the model does not use: {unused[:5]}")
    return value
