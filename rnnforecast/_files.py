"""Safe output files: an output folder and files in it that are never symbolic links.

Used by the command-line interface (``--out``) and by :mod:`rnnforecast.persistence`.
A file is written to a fresh temporary file in the target folder (created
with ``O_EXCL | O_NOFOLLOW`` by :func:`tempfile.mkstemp`) and then renamed over
the target, so a symbolic or hard link planted at the target name is never
written through, a reader never sees a half-written file, and an interrupted
write leaves the previous file as it was. A target that is a symbolic link,
a folder or another non-regular file is refused with :class:`OutputPathError`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

__all__ = ["OutputPathError", "prepare_output_dir", "check_output_file", "write_bytes",
           "write_text"]


class OutputPathError(ValueError):
    """An output folder or file that cannot be written safely (message names the path)."""


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def prepare_output_dir(path: str | os.PathLike[str], *, what: str = "output folder") -> Path:
    """Create (if needed) and check an output folder.

    Parameters
    ----------
    path : str or path-like
        The folder; missing parents are created.
    what : str, default="output folder"
        How the folder is named in error messages (e.g. ``"--out"``).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    OutputPathError
        If the path is empty, the folder is a symbolic link, an existing
        non-folder, or cannot be created (the operating system's reason is given).
    """
    if os.fspath(path) == "":
        raise OutputPathError(f"{what} is empty; give a folder ('.' for the current one)")
    folder = Path(path)
    if folder.is_symlink():
        raise OutputPathError(f"{what} {str(folder)!r} is a symbolic link; refusing to write "
                              "through it (give the real folder)")
    if os.path.lexists(folder) and not folder.is_dir():
        raise OutputPathError(f"{what} {str(folder)!r} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"{what} {str(folder)!r} cannot be created: "
                              f"{exc.strerror or exc}") from None
    if folder.is_symlink() or not folder.is_dir():  # changed under our feet
        raise OutputPathError(f"{what} {str(folder)!r} is not a plain folder")
    return folder


def check_output_file(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be (over)written: absent or a regular file, not a link.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    Path

    Raises
    ------
    OutputPathError
        If ``path`` is a symbolic link, a folder or another non-regular file,
        or its folder is a symbolic link or missing.
    """
    target = Path(path)
    parent = target.parent
    if parent.is_symlink():
        raise OutputPathError(f"folder {str(parent)!r} of {str(target)!r} is a symbolic link; "
                              "refusing to write through it")
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {str(target)!r}: folder {str(parent)!r} does not exist")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputPathError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputPathError(f"{str(target)!r} is a symbolic link; refusing to write through it "
                              "(remove it first)")
    if not stat.S_ISREG(st.st_mode):
        raise OutputPathError(f"{str(target)!r} exists and is not a regular file")
    return target


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, never through a link (see the module docstring).

    Parameters
    ----------
    path : str or path-like
    data : bytes

    Returns
    -------
    Path

    Raises
    ------
    OutputPathError
        If the target is unsafe (:func:`check_output_file`) or the write fails.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_bytes(folder / "a.txt", b"hello").read_bytes()
    b'hello'
    >>> (folder / "link.txt").symlink_to(folder / "a.txt")
    >>> write_bytes(folder / "link.txt", b"x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rnnforecast._files.OutputPathError: '.../link.txt' is a symbolic link; refusing to write through it ...
    >>> import shutil; shutil.rmtree(folder)
    """
    target = check_output_file(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputPathError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        check_output_file(target)  # re-check just before the rename
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputPathError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
        raise
    return target


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """:func:`write_bytes` of ``text`` encoded with ``encoding``."""
    return write_bytes(path, text.encode(encoding))
