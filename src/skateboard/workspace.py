"""The workspace root: the one folder whose files specifications and cycles may name.

Every file a user names — a program, derivative or platform file given as a path (on the
command line, in the Python API, or as a reference inside another file) and a drive-cycle CSV
file — must resolve, symbolic links followed, to a file inside the workspace root or inside
Skateboard's bundled data folder. Anything else is refused with a :class:`SpecError` before
the file is opened, so an error can neither show a file's content nor tell whether it exists.
Bundled names (``b10``, ``hongqi-on-b10``, ``wltc_class3b``) are always allowed.

The root in force is, first to last:

1. the innermost :func:`workspace` context (this thread or asyncio task only);
2. the process-wide root of :func:`set_workspace_root` (the command line's ``--root DIR``);
3. the environment variable ``SKATEBOARD_ROOT``;
4. the current directory.

A web application serving several users passes each request's folder::

    from skateboard.workspace import workspace
    from skateboard.evaluate import evaluate

    with workspace("/srv/skateboard/users/42"):
        result = evaluate("/srv/skateboard/users/42/program.toml")

Relative paths given directly (not inside a file) are relative to the current directory, as
everywhere in Python; references inside a file are relative to that file's folder.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

from skateboard.errors import SpecError

#: Environment variable read when neither :func:`workspace` nor :func:`set_workspace_root` set
#: a root.
ENV_VAR = "SKATEBOARD_ROOT"
#: Skateboard's bundled data (platforms, derivatives, programs, cycles, markets): always
#: readable.
BUNDLED_DATA = Path(__file__).resolve().parent / "data"

_process_root: Path | None = None
_context_root: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "skateboard_workspace_root", default=None)


def _real(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with symbolic links followed (the file need not exist)."""
    text = os.fspath(path)
    if "\x00" in text:
        raise ValueError("a path must not contain a NUL character")
    return Path(os.path.realpath(os.path.expanduser(text)))


def check_root(path: str | os.PathLike[str], *, field: str = "workspace root") -> Path:
    """``path`` as a workspace root: an existing directory, returned resolved.

    Raises
    ------
    SpecError
        Naming ``field`` (``--root``, ``SKATEBOARD_ROOT``) when the path is not a directory.
    """
    try:
        root = _real(path)
        ok = root.is_dir()
    except (OSError, ValueError):
        ok = False
    if not ok:
        raise SpecError("the workspace root must be an existing directory", field=field,
                        value=os.fspath(path), allowed="a folder holding your specification "
                        "and cycle files")
    return root


def workspace_root() -> Path:
    """The workspace root in force (absolute, symbolic links followed); see the module text."""
    root = _context_root.get()
    if root is not None:
        return root
    if _process_root is not None:
        return _process_root
    env = os.environ.get(ENV_VAR)
    if env:
        return check_root(env, field=ENV_VAR)
    try:
        cwd = os.getcwd()
    except OSError:  # the current directory was deleted
        raise SpecError("the current directory no longer exists", field="current directory",
                        allowed="run from an existing directory, or set --root DIR") from None
    return check_root(cwd, field="current directory")


def set_workspace_root(path: str | os.PathLike[str] | None) -> Path | None:
    """Set the process-wide workspace root (``None``: back to ``SKATEBOARD_ROOT`` or the
    current directory). Returns the previous setting. The command line's ``--root`` calls it."""
    global _process_root
    previous = _process_root
    _process_root = None if path is None else check_root(path, field="--root")
    return previous


@contextlib.contextmanager
def workspace(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Make ``path`` the workspace root inside a ``with`` block (this thread or asyncio task;
    blocks nest). Yields the resolved root."""
    token = _context_root.set(check_root(path))
    try:
        yield _context_root.get()
    finally:
        _context_root.reset(token)


def inside(path: Path, folder: Path) -> bool:
    """Whether the resolved ``path`` is ``folder`` or lies below it."""
    return path == folder or folder in path.parents


def checked_path(path: str | os.PathLike[str], *, kind: str, file: str | None = None,
                 field: str | None = None, value: object = ...) -> Path:
    """``path`` resolved, if it lies inside the workspace root or the bundled data folder.

    Parameters
    ----------
    path : the file a user named (already joined to the folder of the file that names it).
    kind : what the file is, for the message ("platform", "drive-cycle").
    file, field, value : where the reference was written (the error names them); by default
        the path itself is reported as the file.

    Raises
    ------
    SpecError
        The path lies outside (checked before the file is opened or even looked up).
    """
    if file is None and value is ...:  # named directly: the path is the file to report
        file = os.fspath(path)
    try:
        real = _real(path)
    except (ValueError, RuntimeError, KeyError) as exc:  # NUL, no home folder
        raise SpecError(f"cannot use this {kind} path: {exc}", file=file, field=field,
                        value=value) from None
    root = workspace_root()
    if inside(real, root) or inside(real, BUNDLED_DATA):
        return real
    raise SpecError(f"{kind} file outside the workspace root {root}", file=file, field=field,
                    value=value, allowed="a bundled name, or a file inside the workspace root "
                    "(set it with --root DIR, SKATEBOARD_ROOT or skateboard.workspace.workspace)")


__all__ = ["BUNDLED_DATA", "ENV_VAR", "check_root", "checked_path", "inside", "set_workspace_root",
           "workspace", "workspace_root"]
