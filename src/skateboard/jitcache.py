"""Numba's on-disk cache kept in step with every source the compiled code was built from.

Numba keys a cached function by the content of its own file and Numba's version (numba 0.68,
``numba/core/caching.py``: the source stamp is a hash of the function's file), not by the files
of the functions and constants compiled into it. Extending invalidation to other files was
proposed in numba/numba pull requests 8396 and 9563 and is not in Numba 0.68. The kernel
(``engine/lanes.py``) compiles in the physics of ``physics/*.py``, the range-extender step of
``engine/generating.py`` and the integer layouts of ``engine/layout.py`` and ``engine/tile.py``;
``physics/road_load.py`` compiles in ``physics/constants.py``. After an update that changed
only one of those files Numba would load the old machine code: a kernel with an old equation,
or worse an old column index.

So the cached functions of the packages in :data:`PACKAGES` are valid only together with the
sources they were compiled from: :func:`drop_stale` hashes those sources and, where the digest
stamped in a package's cache directory differs, deletes that directory's cached functions (Numba
compiles them again on first use) and stamps the new digest. The modules of those packages take
``njit`` from here (``from skateboard.jitcache import njit``; ``tests/test_jitcache.py`` checks
that every cached function does), and importing this module runs the check, once per process:
so it has run before any of their compiled functions can be loaded.
"""

from __future__ import annotations

import hashlib
import os
import types
from pathlib import Path

#: Packages (below ``skateboard``) whose compiled functions use each other's code and constants.
PACKAGES = ("physics", "engine")
#: The stamp file in each cache directory: the digest the cached functions were built from.
STAMP = "skateboard-sources.sha256"
_ROOT = Path(__file__).resolve().parent

__all__ = ["njit", "drop_stale", "source_digest", "cache_dir"]


def source_digest(root: Path = _ROOT, packages=PACKAGES) -> str:
    """SHA-256 over the names and contents of the ``.py`` files of ``packages`` under ``root``."""
    h = hashlib.sha256()
    for name in packages:
        for path in sorted((root / name).glob("*.py")):
            h.update(f"{name}/{path.name}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def cache_dir(package_dir: Path) -> Path:
    """The directory where Numba caches the compiled functions of ``package_dir``'s modules: the
    first of Numba's cache locators that accepts a file there (``NUMBA_CACHE_DIR`` when set,
    else ``__pycache__`` beside the sources when writable, else the user-wide cache), found
    with a stand-in function of that directory; ``__pycache__`` if Numba's locators cannot be
    asked."""
    source = str(package_dir / "__init__.py")
    try:
        from numba.core.caching import CacheImpl

        stand_in = types.FunctionType(compile("def f():\n    pass\n", source, "exec").co_consts[0], {})
        for cls in CacheImpl._locator_classes:  # noqa: SLF001 - Numba's own list, in its order
            locator = cls.from_function(stand_in, source)
            if locator is not None:
                return Path(locator.get_cache_path())
    except Exception:  # noqa: BLE001 - a Numba without these internals: its default place
        pass
    return package_dir / "__pycache__"


def drop_stale(root: Path = _ROOT, packages=PACKAGES) -> list[Path]:
    """Delete the cached compiled functions (``*.nbi``, ``*.nbc``) of ``packages`` wherever they
    were built from other sources than the present ones, and stamp the present digest. Returns
    the files deleted. A cache that cannot be read or written is left to Numba."""
    digest = source_digest(root, packages)
    dropped: list[Path] = []
    for name in packages:
        where = cache_dir(root / name)
        stamp = where / STAMP
        try:
            if stamp.read_text(encoding="ascii").strip() == digest:
                continue
        except OSError:
            pass  # no stamp yet: whatever is cached there predates it
        try:
            for path in sorted(where.glob("*.nb[ic]")):
                path.unlink(missing_ok=True)
                dropped.append(path)
            where.mkdir(parents=True, exist_ok=True)
            tmp = where / f"{STAMP}.{os.getpid()}.tmp"
            tmp.write_text(digest + "\n", encoding="ascii")
            os.replace(tmp, stamp)
        except OSError:
            continue
    return dropped


drop_stale()  # the package's own sources; a module runs once per process

from numba import njit  # noqa: E402 - re-exported for the compiled modules, after the check
