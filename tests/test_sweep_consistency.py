"""How sweeps stay consistent (issue 17, item 6): checked parts, one writer per directory, safe
directory names, a --force that deletes only a sweep, and a directory that reads as a Parquet
dataset as it is. Each reproducer of the issue has its regression test here; the kill test
SIGKILLs real sweep processes at random points and checks the resumed dataset byte for byte."""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skateboard.errors import SpecError
from skateboard.explore import store
from skateboard.explore.lock import LOCK, SweepLock
from skateboard.explore.store import MANIFEST, part_name, read_manifest, read_sweep, safe_name
from skateboard.explore.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = "hongqi-on-b10"
BEV = "hongqi-b10-bev"
VARY = [f"{BEV}.top_hat.drag_coefficient=0.26..0.32",
        f'{BEV}.top_hat.curb_mass="1.7 t".."1900 kg"',
        f"{BEV}.pack={{56kwh,67kwh}}"]
#: 24 variants in 8 chunks of 3, EU only: about 0.1 s per chunk once the kernel is compiled.
ARGS = dict(samples=24, seed=7, markets=["eu"], chunk_size=3)
N_CHUNKS = 8
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
ENV.pop("SKATEBOARD_DEBUG", None)
CLI = ("import sys; from skateboard.cli import main; "
       "sys.argv = ['skateboard', *sys.argv[1:]]; main()")


def _run(out, **kw):
    return run_sweep(PROGRAM, VARY, out=out, **{**ARGS, **kw})


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          env=ENV, cwd=cwd or ROOT, timeout=600)


def _one_line(r) -> str:
    lines = [x for x in r.stderr.strip().splitlines() if x.strip()]
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert len(lines) == 1, r.stderr
    assert "internal error" not in lines[0] and "Traceback" not in r.stderr
    return lines[0]


def _parts(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("part-*.parquet"))}


def _assert_same_dataset(out: Path, ref: Path):
    """Byte for byte: the same part files, the same bytes, the same records in the manifest,
    and no bookkeeping left over (lock, temporaries)."""
    assert _parts(out) == _parts(ref)
    assert read_manifest(out)["parts"] == read_manifest(ref)["parts"]
    assert read_manifest(out)["complete"] is True
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in ref.iterdir())


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run once, uninterrupted: what every interrupted run must equal."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    res = _run(out)
    assert (res.chunks_run, res.n_chunks) == (N_CHUNKS, N_CHUNKS)
    return out


# --- the manifest records and checks every part ----------------------------------------------

def test_manifest_records_rows_size_and_checksum_of_each_part(reference):
    import hashlib

    parts = read_manifest(reference)["parts"]
    assert sorted(parts) == [part_name(i) for i in range(N_CHUNKS)]
    for name, rec in parts.items():
        data = (reference / name).read_bytes()
        assert rec == {"rows": 3, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        assert len(pd.read_parquet(reference / name)) == 3


def test_truncated_empty_changed_or_unrecorded_parts_are_recomputed(reference, tmp_path):
    # the reproducer: a part truncated by hand (or left empty) counted as finished on resume,
    # and sweep-summary then ended in "internal error: ArrowInvalid"
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    p1, p2, p3 = (out / part_name(i) for i in (1, 2, 3))
    p1.write_bytes(p1.read_bytes()[: p1.stat().st_size // 2])   # truncated
    p2.write_bytes(b"")                                         # empty
    data = bytearray(p3.read_bytes())
    data[len(data) // 2] ^= 0xFF                                # same size, one byte changed
    p3.write_bytes(bytes(data))
    (out / part_name(5)).unlink()                               # missing
    manifest = json.loads((out / MANIFEST).read_text())         # killed between rename and
    del manifest["parts"][part_name(4)]                         # record: complete but unrecorded
    (out / MANIFEST).write_text(json.dumps(manifest))

    with pytest.raises(SpecError, match=r"part part-00001.parquet is damaged: \d+ bytes"):
        read_sweep(out)
    line = _one_line(_cli("sweep-summary", str(out)))
    assert "part-00001.parquet is damaged" in line and "run the same `skateboard sweep`" in line

    res = _run(out)
    assert (res.chunks_skipped, res.chunks_run, res.chunks_damaged) == (3, 5, 4)
    _assert_same_dataset(out, reference)
    r = _cli("sweep-summary", str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["n_rows"] == 24


def test_killed_at_random_points_resumes_byte_identical(reference, tmp_path):
    """Real sweep processes SIGKILLed at random points (seeded): during start-up, planning,
    chunks, part and manifest writes, the pause between chunks. After every kill, each part the
    manifest records equals the uninterrupted run's byte for byte; the final resume equals it
    entirely."""
    out = tmp_path / "sweep"
    code = textwrap.dedent(f"""
        import time
        from skateboard.explore.sweep import run_sweep
        def after_chunk(index):
            print(index, flush=True)
            time.sleep(0.15)
        run_sweep({PROGRAM!r}, {VARY!r}, out={str(out)!r}, after_chunk=after_chunk, **{ARGS!r})
    """)
    rng = random.Random(17)
    ref_parts = _parts(reference)
    # kill at a random time after the process started (start-up, planning, the first chunk),
    # then three times at a random time after the first chunk this process finished
    plan = [("spawn", rng.uniform(0.3, 2.5)), *[("chunk", rng.uniform(0.0, 0.3)) for _ in range(3)]]
    interrupted = 0
    for when, delay in plan:
        proc = subprocess.Popen([sys.executable, "-c", code], env=ENV, stdout=subprocess.PIPE,
                                text=True)
        try:
            if when == "chunk":
                assert proc.stdout.readline().strip().isdigit()
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=60) in (-signal.SIGKILL, 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if not (out / MANIFEST).exists():
            continue
        recorded = read_manifest(out)["parts"]
        interrupted += 0 < len(recorded) < N_CHUNKS
        for name in recorded:
            assert (out / name).read_bytes() == ref_parts[name], name
    assert interrupted >= 2, "the kills did not interrupt the sweep"
    res = _run(out)
    assert res.chunks_run + res.chunks_skipped == N_CHUNKS and res.chunks_damaged == 0
    _assert_same_dataset(out, reference)


# --- one writer per directory ----------------------------------------------------------------

HOLDER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from skateboard.explore.lock import SweepLock
    d = Path(sys.argv[1])
    lock = SweepLock(d).acquire()
    (d / f".part-00000.parquet.{os.getpid()}.tmp").write_bytes(b"being written")
    print("locked", flush=True)
    time.sleep(600)
""")


def test_second_writer_refused_and_dead_writers_lock_taken_over(reference, tmp_path):
    # the reproducer: two sweeps into one directory took no lock, recomputed each other's
    # parts, and a new start deleted the other's temporary files
    out = tmp_path / "sweep"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        tmp = out / f".part-00000.parquet.{holder.pid}.tmp"
        line = _one_line(_cli("sweep", PROGRAM, *[f"--vary={v}" for v in VARY], "--samples",
                              "24", "--seed", "7", "--markets", "eu", "--chunk-size", "3",
                              "--out", str(out), "--quiet"))
        assert f"another sweep is writing to this directory: process {holder.pid} on host " \
               f"{socket.gethostname()}" in line
        assert f"if that process is gone, delete {out / LOCK}" in line
        assert tmp.read_bytes() == b"being written"  # the other's temporary file untouched
        assert not (out / MANIFEST).exists()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()
    assert json.loads((out / LOCK).read_text())["pid"] == holder.pid  # left behind by the kill
    res = _run(out)  # a dead local writer's lock is taken over; its temporary file removed
    assert res.chunks_run == N_CHUNKS
    _assert_same_dataset(out, reference)


def test_lock_in_one_process_and_from_another_host(tmp_path):
    first = SweepLock(tmp_path).acquire()
    with pytest.raises(SpecError, match=f"process {os.getpid()} on host"):
        SweepLock(tmp_path).acquire()
    first.release()
    assert not (tmp_path / LOCK).exists()
    with SweepLock(tmp_path):
        assert json.loads((tmp_path / LOCK).read_text())["host"] == socket.gethostname()
    # a lock naming another host: whether that process lives cannot be checked from here
    (tmp_path / LOCK).write_text(json.dumps({"pid": 4242, "host": "build-7.example.org",
                                             "started": "2026-12-03T08:00:00+00:00"}))
    with pytest.raises(SpecError) as info:
        SweepLock(tmp_path).acquire()
    msg = info.value.one_line()
    assert "process 4242 on host build-7.example.org since 2026-12-03T08:00:00+00:00" in msg
    assert "a lock of another host is not taken over" in msg


# --- names used in paths ---------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.sampled_from(["..", "../../..", "/etc", "C:\\x", ".hidden",
                                                 "a/../../b", "\x00", " ", "-", "_"]))
def test_safe_name_is_one_harmless_component(name):
    out = safe_name(name)
    assert re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,58}[A-Za-z0-9])?", out), out
    root = Path("/w/sweeps")
    assert (root / out).resolve().parent == root


def test_program_name_cannot_point_outside_sweeps(tmp_path):
    # the reproducer: name = "../../.." in a program wrote the default directory outside ./sweeps
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    (work / "evil.toml").write_text('name = "../../.."\ntitle = "evil"\n'
                                    'reference = "hongqi-b10-bev"\n'
                                    'variants = ["hongqi-b10-bev"]\nmarkets = ["eu"]\n')
    r = _cli("sweep", "evil.toml", "--vary", f"{BEV}.top_hat.drag_coefficient=0.26..0.32:2",
             "--quiet", cwd=work)
    assert r.returncode == 0, r.stderr
    made = list((work / "sweeps").iterdir())
    assert len(made) == 1 and re.fullmatch(r"sweep-hongqi-b10-bev-[0-9a-f]{10}", made[0].name)
    assert str(made[0].relative_to(work)) in r.stdout
    assert len(read_sweep(made[0])) == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if "work" not in p.parts) == ["a", "b"]


# --- --force deletes a sweep, and only a sweep -----------------------------------------------

def test_force_refuses_a_directory_without_sweep_manifest(tmp_path, monkeypatch):
    # the reproducer: --force deleted any directory except the root, home and current one
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.tex").write_text("mine")
    vary = ["--vary", f"{BEV}.top_hat.drag_coefficient=0.26..0.32:2", "--quiet", "--force"]
    line = _one_line(_cli("sweep", PROGRAM, *vary, "--out", str(notes)))
    assert "--force deletes only a sweep directory; this one holds no sweep manifest " \
           "(_manifest.json)" in line and "notes'" in line   # the value, cut to ~40 characters
    monkeypatch.chdir(notes)
    with pytest.raises(SpecError, match="--force deletes only a sweep directory"):
        _run(".", force=True)
    with pytest.raises(SpecError, match="not a directory"):
        _run("thesis.tex", force=True)
    assert [p.name for p in notes.iterdir()] == ["thesis.tex"]
    assert (notes / "thesis.tex").read_text() == "mine"
    # a file of another tool named like a manifest does not make a sweep directory
    app = tmp_path / "app"
    app.mkdir()
    (app / "manifest.json").write_text('{"name": "my web app", "format": 2}')
    (app / "_manifest.json").write_text("{}")
    (app / "part-00000.parquet").write_bytes(b"someone else's")
    with pytest.raises(SpecError, match="--force deletes only a sweep directory"):
        _run(app, force=True)
    with pytest.raises(SpecError, match="directory is not empty and holds no sweep"):
        _run(app)
    assert sorted(p.name for p in app.iterdir()) == ["_manifest.json", "manifest.json",
                                                     "part-00000.parquet"]


def test_force_restarts_a_sweep_and_keeps_other_files(reference, tmp_path):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(SpecError, match="other arguments.*or --force"):
        _run(out, seed=8)
    res = _run(out, seed=8, force=True)
    assert (res.chunks_run, res.chunks_skipped) == (N_CHUNKS, 0)
    assert read_manifest(out)["arguments"]["seed"] == 8
    assert (out / "notes.txt").read_text() == "mine"
    assert _parts(out) != _parts(reference)
    res = _run(out, force=True)  # and back: the same bytes as the reference
    assert res.chunks_run == N_CHUNKS
    assert _parts(out) == _parts(reference)


# --- the directory reads as a Parquet dataset as it is ---------------------------------------

@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
def test_directory_reads_as_parquet_dataset(reference, tmp_path):
    import dask.dataframe as dd
    import pyarrow.dataset as ds

    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    # what a running sweep adds: its lock and a part being written
    (out / LOCK).write_text(json.dumps({"pid": 1, "host": "x"}))
    (out / ".part-00008.parquet.77.tmp").write_bytes(b"PAR1 half")
    ref = read_sweep(reference)
    assert len(ref) == 24 and ref["sample"].tolist() == list(range(24))

    def same(df):
        df = df.sort_values("sample").reset_index(drop=True)
        return df.astype(ref.dtypes.to_dict()).equals(ref)
    assert same(pd.read_parquet(out))
    assert same(ds.dataset(out).to_table().to_pandas())
    assert same(dd.read_parquet(str(out)).compute())


def test_version_1_directory_still_reads_and_is_restarted_only_with_force(reference, tmp_path):
    out = tmp_path / "old"
    shutil.copytree(reference, out)
    manifest = read_manifest(out)
    manifest["format"] = store.LEGACY_FORMAT
    del manifest["parts"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / MANIFEST).unlink()
    assert read_sweep(out).equals(read_sweep(reference))
    with pytest.raises(SpecError, match="differs in: format skateboard-sweep/1"):
        _run(out)
    _run(out, force=True)
    assert not (out / "manifest.json").exists()
    _assert_same_dataset(out, reference)


@pytest.mark.parametrize("edit, field", [
    (lambda m: m["parts"].update({"../../../etc/passwd": {"rows": 3}}), "parts"),
    (lambda m: m.update(parts=[]), "parts"),
    (lambda m: m.pop("n_variants"), "n_variants"),
    (lambda m: m.update(markets="eu"), "markets"),
])
def test_hand_edited_manifest_is_one_spec_error(reference, tmp_path, edit, field):
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    manifest = json.loads((out / MANIFEST).read_text())
    edit(manifest)
    (out / MANIFEST).write_text(json.dumps(manifest))
    for call in (lambda: read_sweep(out), lambda: _run(out)):
        with pytest.raises(SpecError, match=f"unreadable manifest.*{field}|{field}.*unreadable"):
            call()
    (out / MANIFEST).write_text('{"format": "skateboard-sweep/2", "parts": {')
    with pytest.raises(SpecError, match="unreadable manifest: JSONDecodeError"):
        read_sweep(out)
