"""Writing result files without ever losing what a user saved.

Every file is written to a temporary name beside its destination and renamed into place only
when complete, so a failed run leaves the old file untouched; an existing file is replaced only
when the caller says so (``force``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from skateboard.errors import SpecError

TABLE_SUFFIXES = (".csv", ".parquet")


def write_table_safely(df: pd.DataFrame, path: Path | str, *, force: bool = False,
                       field: str = "output") -> Path:
    """Write ``df`` to CSV or Parquet (by suffix), atomically; refuse to overwrite unless ``force``.

    ``field`` names the option the path came from, for error messages (e.g. ``--timeseries``)."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise SpecError("unsupported file type", field=field, value=str(path),
                        allowed="a .csv or .parquet file name")
    if path.exists() and not force:
        raise SpecError("file exists; not overwritten", field=field, value=str(path),
                        allowed="a new file name, or --force")
    try:
        return _write(df, path)
    except OSError as exc:  # a folder that cannot be created or written (/proc, read-only)
        raise SpecError(f"cannot write the file: {exc.strerror or str(exc)[:80] or type(exc).__name__}",
                        field=field, value=str(path), allowed="a path in a writable folder") from None


def _write(df: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if path.suffix.lower() == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
