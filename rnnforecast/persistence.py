"""A safe model file: ``model.save(path)`` and ``rnnforecast.load(path)``, without pickle.

Pickle and joblib files run code when they are loaded: never load one from a
source you do not trust. The files written here hold data only and loading
one never unpickles:

* one ZIP archive (one file to move, copy or attach; readable with any zip
  tool) holding exactly two members:

  - ``model.json``: the format name and version, the rnnforecast version,
    the model's class, the library versions, a SHA-256 checksum, and the
    model's state -- its parameters (``get_params``) and every fitted
    attribute (names ending in ``_``: weights, fitted scalers, training
    history, interval calibration...), recursively through nested
    estimators, pipelines, dataclasses, lists and dicts
    (:mod:`rnnforecast._state_codec`);
  - ``arrays.npz``: every NumPy array of that state (numeric, boolean,
    datetime or unicode dtypes; never ``object``), read back with
    ``allow_pickle=False``.

* The checksum is the SHA-256 of the JSON description (without the checksum)
  followed by the bytes of ``arrays.npz``: a corrupted or edited file is
  refused. It detects accidents and casual edits; it is not a signature.

:func:`load` refuses, with a :class:`ModelFileError` naming the file and the
problem: a file that is not such an archive, a wrong checksum, an unknown
format or a newer format version, a class outside ``rnnforecast``/``sklearn``,
an array whose dtype or shape differs from the description, non-finite
weights (``params_``, ``coef_``, ``intercept_``) or any non-finite value in
an array that was finite when saved, and network weights whose length does
not match the network. A loaded model forecasts bit-identically to the one
that was saved.

Examples
--------
>>> import tempfile, os
>>> import numpy as np
>>> import rnnforecast
>>> from rnnforecast.baselines import NaiveForecaster
>>> model = NaiveForecaster(strategy="drift").fit(np.arange(10.0))
>>> path = os.path.join(tempfile.mkdtemp(), "drift.rnnf")
>>> model.save(path)
>>> loaded = rnnforecast.load(path)
>>> loaded
NaiveForecaster(strategy='drift')
>>> np.array_equal(loaded.predict(3), model.predict(3))
True
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from typing import Any

import numpy as np

from rnnforecast._files import OutputPathError, write_bytes
from rnnforecast._state_codec import StateError, decode, encode

__all__ = ["FORMAT", "FORMAT_VERSION", "ModelFileError", "SaveMixin", "load", "save"]

FORMAT = "rnnforecast.model"
FORMAT_VERSION = 1
"""Version of the file layout written by :func:`save`; :func:`load` reads versions up to this."""

_JSON, _NPZ = "model.json", "arrays.npz"
WEIGHT_ATTRIBUTES = ("params_", "coef_", "intercept_")
"""Fitted attributes that must be finite wherever they appear (at save and at load)."""


class ModelFileError(ValueError):
    """A model file that cannot be loaded or saved (the message names the file and the problem)."""


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _digest(body: dict, npz: bytes) -> str:
    h = hashlib.sha256(_canonical(body))
    h.update(b"\0")
    h.update(npz)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    import numpy
    import pandas
    import sklearn

    from rnnforecast import __version__

    return {"rnnforecast": __version__, "numpy": numpy.__version__, "pandas": pandas.__version__,
            "scikit-learn": sklearn.__version__}


def _check_object(obj: Any, where: str) -> None:
    """Checks on each decoded object: finite weights, network weights of the right length."""
    state = getattr(obj, "__dict__", {})
    for name in WEIGHT_ATTRIBUTES:
        value = state.get(name)
        if isinstance(value, np.ndarray) and value.dtype.kind in "fc" and not np.isfinite(value).all():
            raise StateError(f"{where}.{name}: the weights hold NaN or infinite values")
    network, params = state.get("network_"), state.get("params_")
    n_params = getattr(network, "n_params", None)
    if isinstance(params, np.ndarray) and isinstance(n_params, (int, np.integer)):
        if params.shape != (int(n_params),):
            raise StateError(f"{where}.params_: shape {params.shape} does not match the network "
                             f"({int(n_params)} parameters): shape mismatch")


def save(model: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model`` (fitted or not) to a model file at ``path`` (see the module docstring).

    Parameters
    ----------
    model : estimator
        An rnnforecast (or scikit-learn) estimator, forecaster, baseline or
        pipeline.
    path : str or path-like
        File to write (replaced atomically if it exists; a symbolic link there
        is refused). The suffix is free; ``.rnnf`` is a good choice.

    Raises
    ------
    TypeError
        If ``model`` is not an estimator, or its state holds something that
        cannot be saved without pickle (the message says where).
    ModelFileError
        If the model's weights are not finite, or the file cannot be written.
    """
    from sklearn.base import BaseEstimator

    if not isinstance(model, BaseEstimator):
        raise TypeError(f"model must be a scikit-learn style estimator; got {type(model).__name__}")
    tree, arrays = encode(model, where=type(model).__name__)
    try:  # decode in memory first: what is written can be read back, checks included
        decode(tree, arrays, _check_object, where=type(model).__name__)
    except StateError as exc:
        raise ModelFileError(f"cannot save {type(model).__name__} to {os.fspath(path)!r}: {exc}") from None
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    npz = buffer.getvalue()
    cls = type(model)
    body = {"format": FORMAT, "format_version": FORMAT_VERSION, "class": f"{cls.__module__}:{cls.__qualname__}",
            "versions": _versions(), "model": tree}
    header = dict(body, sha256=_digest(body, npz))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_JSON, json.dumps(header, indent=1, allow_nan=False))
        zf.writestr(_NPZ, npz)
    try:
        write_bytes(path, archive.getvalue())
    except OutputPathError as exc:
        raise ModelFileError(str(exc)) from None


def _read_archive(name: str, path: str | os.PathLike[str]) -> tuple[dict, bytes]:
    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"model file {name!r}: {problem}")

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = sorted(zf.namelist())
            if names == sorted([_JSON, _NPZ]):
                raw_json, npz = zf.read(_JSON), zf.read(_NPZ)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, zlib.error) as exc:
        raise fail(f"not an rnnforecast model file (not a readable zip archive: {exc})") from None
    if names != sorted([_JSON, _NPZ]):
        raise fail(f"expected the members {[_JSON, _NPZ]}; found {names[:5]}")
    try:
        header = json.loads(raw_json.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise fail(f"{_JSON} is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise fail(f"{_JSON} does not describe a model")
    return header, npz


def _check_header(header: dict, npz: bytes, fail) -> None:
    if header.get("format") != FORMAT:
        raise fail(f"unknown format {header.get('format')!r} (expected {FORMAT!r})")
    version = header.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail(f"unknown format version {version!r}")
    if version > FORMAT_VERSION:
        written = (header.get("versions") or {}).get("rnnforecast", "a newer version")
        raise fail(f"written with format version {version} (by rnnforecast {written}); this rnnforecast "
                   f"reads format versions up to {FORMAT_VERSION}: upgrade rnnforecast to load it")
    expected = header.get("sha256")
    body = {k: v for k, v in header.items() if k != "sha256"}
    try:
        actual = _digest(body, npz)
    except (ValueError, RecursionError) as exc:
        raise fail(f"{_JSON} holds values outside JSON ({exc})") from None
    if not isinstance(expected, str) or actual != expected:
        raise fail("checksum mismatch: the file was modified or corrupted after it was saved")


def load(path: str | os.PathLike[str]) -> Any:
    """Load a model written by :func:`save` (or ``model.save``), without unpickling anything.

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    estimator
        The model, in the state it was saved in: its forecasts and
        predictions are bit-identical to the saved model's.

    Raises
    ------
    ModelFileError
        If the file cannot be read or is refused (see the module docstring);
        the message names the file and the problem.

    Examples
    --------
    See the module docstring of :mod:`rnnforecast.persistence`.
    """
    name = os.fspath(path)

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"model file {name!r}: {problem}")

    header, npz = _read_archive(name, path)
    _check_header(header, npz, fail)
    try:
        with np.load(io.BytesIO(npz), allow_pickle=False) as files:
            arrays = {key: files[key] for key in files.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise fail(f"{_NPZ} cannot be read without pickle ({exc})") from None
    from sklearn.base import BaseEstimator

    try:
        model = decode(header.get("model"), arrays, _check_object, where="model")
    except (StateError, KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as exc:
        raise fail(str(exc) if isinstance(exc, StateError) else f"malformed model description ({exc!r})") \
            from None
    cls = type(model)
    if not isinstance(model, BaseEstimator) or f"{cls.__module__}:{cls.__qualname__}" != header.get("class"):
        raise fail(f"holds a {cls.__qualname__}, not the {header.get('class')!r} it announces")
    return model


class SaveMixin:
    """Adds :meth:`save` (see :mod:`rnnforecast.persistence`)."""

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this model to a safe model file (no pickle); read it back with ``rnnforecast.load``.

        Parameters
        ----------
        path : str or path-like
            File to write (replaced atomically; a symbolic link there is refused).

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> import rnnforecast
        >>> from rnnforecast.baselines import NaiveForecaster
        >>> path = os.path.join(tempfile.mkdtemp(), "naive.rnnf")
        >>> NaiveForecaster().fit(np.array([1.0, 2.0, 3.0])).save(path)
        >>> rnnforecast.load(path).predict(2)
        array([3., 3.])
        """
        save(self, path)
