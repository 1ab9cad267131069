"""A sweep directory on disk: the manifest, the part files, the writer's lock, reading back.

Layout (``docs/sweep.md``, "How sweeps stay consistent")::

    DIR/_manifest.json        arguments, their SHA-256, and per finished part: rows, bytes, SHA-256
    DIR/_sweep.lock           while a sweep writes: its process id and host
    DIR/part-00000.parquet    samples 0 .. K-1
    DIR/.part-00001.parquet.<pid>.tmp   a part being written

Bookkeeping files start with ``_`` or ``.``, which Parquet dataset readers (pyarrow, pandas,
Dask) skip, so ``pandas.read_parquet(DIR)`` reads the rows as they are. A part counts as
finished only when the manifest lists it and its size, SHA-256 and row count match; anything
else is recomputed by the next run. The writer's lock is :mod:`skateboard.explore.lock`.

This module knows nothing about plans beyond duck typing (``key``, ``arguments()``, ``n``,
``n_chunks``, ``chunk_bounds(i)``, ``schema``, ...): :mod:`skateboard.explore.sweep` builds them.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from skateboard.errors import SpecError
from skateboard.explore.lock import LOCK

#: Manifest format tag (version 2: bookkeeping files named ``_...``, per-part records).
FORMAT = "skateboard-sweep/2"
MANIFEST = "_manifest.json"
#: Version 1: ``manifest.json`` beside the parts (dataset readers tripped on it), no per-part
#: records. Still read (``sweep-summary``, ``read_sweep``); never resumed (``--force`` restarts).
LEGACY_FORMAT = "skateboard-sweep/1"
LEGACY_MANIFEST = "manifest.json"
#: Root of the default sweep directories (relative to the current directory).
SWEEPS_ROOT = Path("sweeps")
#: Longest program or variant name kept in a default directory name (assumption: enough to
#: recognise it; the key's 10 hex digits keep names unique).
MAX_NAME = 60


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def safe_name(name: Any, fallback: str = "sweep") -> str:
    """``name`` as one harmless path component: runs of characters other than ASCII letters,
    digits, ``_`` and ``-`` become ``-`` (so no ``/``, ``\\``, ``..``, drive letters or control
    characters survive), no leading ``-``/``_`` (nor a leading ``.``: dataset readers would skip
    the directory's name), at most :data:`MAX_NAME` characters; ``fallback`` when nothing is
    left."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "-", str(name)).strip("-_")[:MAX_NAME].rstrip("-_")
    return text or fallback


def default_directory(plan) -> Path:
    """``sweeps/<program>-<variant>-<first 10 hex digits of the key>`` with both names passed
    through :func:`safe_name`: the same arguments find the same directory, and no name in a
    program file can point it outside ``./sweeps``."""
    name = f"{safe_name(plan.program_name)}-{safe_name(plan.variant, 'variant')}-{plan.key[:10]}"
    return SWEEPS_ROOT / name


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

def _fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (POSIX; a no-op where directories cannot be
    opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a hidden temporary file beside ``path``, sync it, rename it over
    ``path``: ``path`` is either the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def encode_part(table: pa.Table) -> bytes:
    """The Parquet bytes of one chunk. Deterministic: the same table gives the same bytes (no
    timestamps in the file), which is what makes a resumed sweep equal an uninterrupted one
    byte for byte."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def part_record(data: bytes, rows: int) -> dict:
    return {"rows": int(rows), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_part(directory: Path, index: int, table: pa.Table) -> dict:
    """Write one chunk atomically (temporary file, synced, renamed) and return its record for
    the manifest: row count, size and SHA-256."""
    data = encode_part(table)
    _atomic_write_bytes(Path(directory) / part_name(index), data)
    return part_record(data, table.num_rows)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_part(directory: Path, name: str, record: dict | None,
               expected_rows: int | None = None) -> str | None:
    """Why the part file ``name`` is not the finished part its record describes, or None when
    it is (size, SHA-256 and row count all match)."""
    path = Path(directory) / name
    if not isinstance(record, dict):
        return "not recorded in the manifest"
    if expected_rows is not None and record.get("rows") != expected_rows:
        return f"recorded with {record.get('rows')} rows, the chunk has {expected_rows}"
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if size != record.get("bytes"):
        return f"{size} bytes, the manifest records {record.get('bytes')}"
    try:
        digest = _sha256_file(path)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if digest != record.get("sha256"):
        return "its SHA-256 differs from the manifest's"
    return None


# ---------------------------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------------------------

def new_manifest(plan) -> dict:
    from skateboard import __version__

    return {"format": FORMAT, "key": plan.key, "arguments": plan.arguments(),
            "program_name": plan.program_name, "variant": plan.variant, "n_variants": plan.n,
            "chunk_size": plan.chunk_size, "n_chunks": plan.n_chunks,
            "parameter_columns": plan.parameter_columns,
            "markets": [mk.name for mk in plan.markets],
            "columns": plan.schema.names, "skateboard_version": __version__,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "complete": False, "parts": {}}


def write_manifest(directory: Path, manifest: dict) -> None:
    _atomic_write_bytes(Path(directory) / MANIFEST, json.dumps(manifest, indent=1).encode())


def has_manifest(directory: Path) -> bool:
    """Whether ``directory`` holds a sweep manifest: a JSON object with a sweep format tag (a
    file of another tool that happens to have the name does not count)."""
    return any(_is_manifest(Path(directory) / name) for name in (MANIFEST, LEGACY_MANIFEST))


def _is_manifest(path: Path) -> bool:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") in (FORMAT, LEGACY_FORMAT)


def read_manifest(directory: str | Path) -> dict:
    """The manifest of a sweep directory (SpecError when there is none or it is unreadable).
    A version-1 directory's ``manifest.json`` is read too (``"format"`` tells them apart)."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.exists() and (directory / LEGACY_MANIFEST).exists():
        path = directory / LEGACY_MANIFEST
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"not a sweep directory (no {MANIFEST})", file=str(directory)) from None
    except (OSError, ValueError) as exc:
        raise SpecError(f"unreadable manifest: {type(exc).__name__}", file=str(path)) from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if fmt not in (FORMAT, LEGACY_FORMAT):
        raise SpecError("not a sweep manifest", file=str(path), value=str(fmt)[:40],
                        allowed=FORMAT)
    for key, kind in _FIELDS:
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise SpecError("unreadable manifest", file=str(path), field=key,
                            allowed=f"a {kind.__name__}, as `skateboard sweep` writes it")
    if fmt == FORMAT:
        parts = data.get("parts")
        bad = [str(k)[:40] for k in parts] if not isinstance(parts, dict) else \
            [k[:40] for k in parts if not _PART.fullmatch(k)]
        if not isinstance(parts, dict) or bad:
            raise SpecError("unreadable manifest", file=str(path), field="parts",
                            value=bad[0] if bad else ..., allowed="part-NNNNN.parquet names")
    return data


#: What readers of a manifest rely on (anything else is informative).
_FIELDS = (("key", str), ("arguments", dict), ("variant", str), ("n_variants", int),
           ("n_chunks", int), ("markets", list), ("parameter_columns", list))
_PART = re.compile(r"part-[0-9]{5,}\.parquet")


def _differences(old: dict, new: dict) -> str:
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return ", ".join(keys)


def _owned(directory: Path) -> list[Path]:
    """The files a sweep owns in its directory: what ``--force`` deletes (nothing else)."""
    files = [directory / n for n in (MANIFEST, LEGACY_MANIFEST) if _is_manifest(directory / n)]
    for pattern in ("part-*.parquet", ".part-*.tmp", f".{MANIFEST}.*.tmp"):
        files += sorted(directory.glob(pattern))
    return [f for f in files if f.is_symlink() or f.is_file()]


def _bookkeeping(name: str) -> bool:
    """The lock, or a temporary file of a killed sweep (a start-up killed before its manifest
    was in place leaves these in an otherwise new directory)."""
    return name == LOCK or (name.startswith((".part-", f".{MANIFEST}.")) and name.endswith(".tmp"))


def check_out(directory: Path, *, force: bool = False) -> None:
    """Refuse, before anything is created or locked, an output path that is no directory, a
    non-empty directory holding no sweep, and ``force`` on such a directory: ``--force``
    deletes a sweep's files, and only a sweep's."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise SpecError("not a directory", field="--out", value=str(directory),
                        allowed="a new directory, an empty one, or a sweep's directory")
    if not directory.is_dir() or has_manifest(directory):
        return
    try:
        others = [p.name for p in directory.iterdir() if not _bookkeeping(p.name)]
    except OSError as exc:
        raise SpecError(f"unreadable directory ({exc.strerror or exc})", field="--out",
                        value=str(directory)) from None
    if others and force:
        raise SpecError(f"--force deletes only a sweep directory; this one holds no sweep "
                        f"manifest ({MANIFEST})", field="--out", value=str(directory),
                        allowed="a directory written by `skateboard sweep`, or a new one")
    if others:
        raise SpecError("directory is not empty and holds no sweep", file=str(directory),
                        field="--out", allowed="a new or empty directory, or a sweep's DIR")


def prepare_directory(directory: Path, plan, *, force: bool = False) -> dict:
    """Under the writer's lock (see :class:`SweepLock`): create the directory and its manifest,
    or check that an existing one holds this very sweep (``force``: delete that sweep's files
    and start again). Removes temporary files a killed run left behind."""
    directory = Path(directory)
    check_out(directory, force=force)
    if force and has_manifest(directory):
        for f in _owned(directory):
            f.unlink(missing_ok=True)
    if (directory / MANIFEST).exists() or (directory / LEGACY_MANIFEST).exists():
        old = read_manifest(directory)
        if old.get("key") != plan.key or old.get("format") != FORMAT:
            diff = _differences(old.get("arguments", {}), plan.arguments())
            if old.get("format") != FORMAT:
                diff = f"format {old.get('format')}"
            raise SpecError("DIR holds a sweep with other arguments", file=str(directory),
                            field="--out", value=f"differs in: {diff}" if diff else ...,
                            allowed="the same arguments (to resume), another --out DIR, or "
                                    "--force (deletes that sweep)")
        manifest = old
    else:
        manifest = new_manifest(plan)
        write_manifest(directory, manifest)
    for tmp in directory.glob(".part-*.tmp"):
        tmp.unlink(missing_ok=True)
    for tmp in directory.glob(f".{MANIFEST}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return manifest


def finished_chunks(directory: Path, plan, manifest: dict) -> tuple[set[int], dict[int, str]]:
    """Chunks whose part the manifest records and whose file matches the record (size,
    SHA-256, rows), and the chunks recorded but damaged (index -> why). Damaged records are
    removed from ``manifest`` (the caller writes it back), so the chunk is recomputed."""
    parts = manifest.setdefault("parts", {})
    done, damaged = set(), {}
    for i in range(plan.n_chunks):
        name = part_name(i)
        if name not in parts:
            continue
        start, stop = plan.chunk_bounds(i)
        why = check_part(directory, name, parts[name], stop - start)
        if why is None:
            done.add(i)
        else:
            damaged[i] = why
            del parts[name]
    for name in [n for n in parts if n not in {part_name(i) for i in range(plan.n_chunks)}]:
        del parts[name]
    return done, damaged


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

def part_files(directory: str | Path, manifest: dict | None = None) -> list[Path]:
    """The finished part files, in chunk order, each checked against its manifest record
    (SpecError naming a damaged one). Parts not recorded yet (being written) are left out.
    A version-1 directory has no records: its parts are listed as found."""
    directory = Path(directory)
    manifest = manifest if manifest is not None else read_manifest(directory)
    if manifest.get("format") == LEGACY_FORMAT:
        return sorted(directory.glob("part-*.parquet"))
    out = []
    for name, record in sorted(manifest["parts"].items()):
        why = check_part(directory, name, record)
        if why is not None:
            raise SpecError(f"part {name} is damaged: {why}", file=str(directory),
                            allowed="run the same `skateboard sweep` command again: it "
                                    "recomputes damaged parts")
        out.append(directory / name)
    return out


def open_dataset(directory: str | Path):
    """``(manifest, pyarrow dataset of the checked finished parts)``; SpecError when the
    directory holds no sweep, no finished part or a damaged one."""
    import pyarrow.dataset as ds

    manifest = read_manifest(directory)
    files = part_files(directory, manifest)
    if not files:
        raise SpecError("the sweep has no finished chunk yet", file=str(directory))
    try:
        return manifest, ds.dataset([str(f) for f in files], format="parquet")
    except (pa.ArrowException, OSError) as exc:
        raise SpecError(f"unreadable part file: {type(exc).__name__}", file=str(directory),
                        allowed="run the same `skateboard sweep` command again, or --force "
                                "to start over") from None


def to_table(dataset, directory, columns=None) -> pa.Table:
    """``dataset.to_table(columns)`` with Arrow's errors as a SpecError naming the directory."""
    try:
        return dataset.to_table(columns=list(columns) if columns is not None else None)
    except (pa.ArrowException, OSError) as exc:
        raise SpecError(f"unreadable part file: {type(exc).__name__}", file=str(directory),
                        allowed="run the same `skateboard sweep` command again, or --force "
                                "to start over") from None


def read_sweep(directory: str | Path, columns=None):
    """The sweep's rows as one pandas DataFrame, in sample order (``columns``: only these)."""
    _, dataset = open_dataset(directory)
    if columns is not None:
        missing = [c for c in columns if c not in dataset.schema.names]
        if missing:
            raise SpecError("no such column in the sweep", file=str(directory),
                            value=", ".join(missing)[:200])
    df = to_table(dataset, directory, columns).to_pandas()
    if "sample" in df:
        df = df.sort_values("sample", kind="stable").reset_index(drop=True)
    return df


__all__ = ["FORMAT", "LOCK", "MANIFEST", "check_out", "check_part",
           "default_directory", "encode_part", "finished_chunks", "new_manifest", "open_dataset",
           "part_files", "part_name", "prepare_directory", "read_manifest", "read_sweep",
           "safe_name", "to_table", "write_manifest", "write_part"]
