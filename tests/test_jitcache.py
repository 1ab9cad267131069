"""Numba's cache follows every source the kernel is compiled from (skateboard.jitcache): Numba
itself only checks the file of each function, so a kernel that compiles in the physics of other
files would otherwise be loaded stale after an update of those files."""

from __future__ import annotations

import ast
from pathlib import Path

from skateboard import jitcache

SRC = Path(jitcache.__file__).resolve().parent


def _tree(root: Path) -> None:
    for name in jitcache.PACKAGES:
        (root / name).mkdir(parents=True)
        (root / name / "__init__.py").write_text("")
        (root / name / "mod.py").write_text(f"X = 1  # {name}\n")


def _cached(root: Path, name: str) -> list[Path]:
    where = jitcache.cache_dir(root / name)
    where.mkdir(parents=True, exist_ok=True)
    files = [where / "mod.f-3.py311.nbi", where / "mod.f-3.py311.1.nbc"]
    for f in files:
        f.write_bytes(b"compiled")
    return files


def test_cached_functions_are_dropped_when_any_source_of_either_package_changes(tmp_path):
    _tree(tmp_path)
    files = _cached(tmp_path, "engine") + _cached(tmp_path, "physics")
    # no stamp yet: what is cached was built from unknown sources
    assert sorted(jitcache.drop_stale(tmp_path)) == sorted(files)
    assert not any(f.exists() for f in files)
    digest = jitcache.source_digest(tmp_path)
    assert (jitcache.cache_dir(tmp_path / "engine") / jitcache.STAMP).read_text().strip() == digest
    # built from the present sources: kept
    files = _cached(tmp_path, "engine") + _cached(tmp_path, "physics")
    assert jitcache.drop_stale(tmp_path) == [] and all(f.exists() for f in files)
    # a change in the physics (a constant) stales the engine's compiled functions too
    (tmp_path / "physics" / "mod.py").write_text("X = 2  # physics\n")
    assert jitcache.source_digest(tmp_path) != digest
    assert sorted(jitcache.drop_stale(tmp_path)) == sorted(files)
    # a new source file counts as a change
    files = _cached(tmp_path, "engine")
    (tmp_path / "engine" / "new.py").write_text("")
    assert sorted(jitcache.drop_stale(tmp_path)) == sorted(files)


def test_the_cache_directory_is_numbas(tmp_path, monkeypatch):
    from numba.core import config

    _tree(tmp_path)
    # beside the sources when writable, as Numba caches there
    assert jitcache.cache_dir(tmp_path / "engine") == tmp_path / "engine" / "__pycache__"
    # under NUMBA_CACHE_DIR when set
    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "elsewhere"))
    assert jitcache.cache_dir(tmp_path / "engine").is_relative_to(tmp_path / "elsewhere")


def test_every_cached_function_takes_njit_from_jitcache():
    """A module that caches compiled code must import ``njit`` through skateboard.jitcache (so the
    check has run before its code can be loaded) and lie in one of the checked packages."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        caches = any(isinstance(n, ast.keyword) and n.arg == "cache" and isinstance(n.value, ast.Constant)
                     and n.value.value is True for n in ast.walk(tree))
        if not caches:
            continue
        froms = {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        package = path.relative_to(SRC).parts[0]
        if (("skateboard.jitcache", "njit") not in froms or ("numba", "njit") in froms
                or package not in jitcache.PACKAGES):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_the_package_cache_directories_are_where_numba_puts_the_kernel():
    from skateboard.engine import lanes
    from skateboard.physics import battery

    assert jitcache.cache_dir(SRC / "engine") == Path(lanes.run_tiles._cache._cache_path)
    assert jitcache.cache_dir(SRC / "physics") == Path(battery.interp_uniform._cache._cache_path)
