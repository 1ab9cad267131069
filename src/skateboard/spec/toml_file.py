"""Reading a TOML specification file safely: size and nesting limits, every problem one
:class:`~skateboard.errors.SpecError` (docs/limits.md). Used by the loaders of platforms,
derivatives, programs, fuels and markets."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from skateboard.errors import SpecError


def dotted(loc: tuple | list) -> str:
    """``('packs', '56.2', 'mass')`` -> ``packs."56.2".mass``; list indices as ``[i]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if re.fullmatch(r"[A-Za-z0-9_-]+", str(part)) else f'"{part}"'
        out = f"{out}.{text}" if out else text
    return out


#: Largest specification file read [bytes] (the bundled ones have a few kB) and deepest nesting
#: of tables and arrays accepted (the bundled ones reach 4): docs/limits.md.
MAX_TOML_BYTES = 4 * 2 ** 20
MAX_TOML_DEPTH = 32


def file_version(path: str | Path) -> tuple | None:
    """(resolved path, modification time [ns], size [bytes]) of a file: the key of the caches
    that read a file once per version of it (spec loader, cost book, a variant's derivative).
    None when the file cannot be looked at (the caller then reads it, uncached)."""
    try:
        path = Path(path)
        st = path.stat()
        return (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        return None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; a missing, oversized, deeply nested or malformed file is a SpecError
    (with line number), never a crash."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_TOML_BYTES + 1)
    except FileNotFoundError:
        raise SpecError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise SpecError("expected a file, found a directory", file=str(path)) from None
    except OSError as exc:
        raise SpecError(f"cannot read file: {exc.strerror or type(exc).__name__}",
                        file=str(path)) from None
    if len(raw) > MAX_TOML_BYTES:
        raise SpecError("file too large for a specification", file=str(path),
                        allowed=f"at most {MAX_TOML_BYTES // 2 ** 20} MiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SpecError(f"malformed TOML: not UTF-8 text ({exc.reason} at byte {exc.start})",
                        file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"malformed TOML: {exc}", file=str(path)) from None
    except RecursionError:
        raise SpecError("malformed TOML: arrays or tables nested too deeply", file=str(path),
                        allowed=f"at most {MAX_TOML_DEPTH} levels") from None
    except ValueError:  # e.g. an integer of more than 4300 digits
        raise SpecError("malformed TOML: a value that cannot be read (such as an integer of "
                        "more than 4300 digits)", file=str(path)) from None
    _check_depth(data, str(path))
    return data


def _check_depth(data: Any, file: str) -> None:
    """Refuse nesting deeper than MAX_TOML_DEPTH (no recursion: the file may be hostile)."""
    stack: list[tuple[Any, int, tuple]] = [(data, 0, ())]
    while stack:
        obj, depth, loc = stack.pop()
        if depth > MAX_TOML_DEPTH:
            raise SpecError("arrays or tables nested too deeply", file=file,
                            field=dotted(loc[:4]) + " ...", allowed=f"at most {MAX_TOML_DEPTH} levels")
        if isinstance(obj, dict):
            stack.extend((v, depth + 1, loc + (k,)) for k, v in obj.items())
        elif isinstance(obj, list):
            stack.extend((v, depth + 1, loc + (i,)) for i, v in enumerate(obj))


__all__ = ["MAX_TOML_BYTES", "MAX_TOML_DEPTH", "dotted", "read_toml"]
