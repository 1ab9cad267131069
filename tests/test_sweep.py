"""Sweeps (skateboard.explore): designs, fast variant building, determinism across executors and
chunk sizes, resuming, refusing to mix, bounded memory, Pareto front and targets, the CLI."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skateboard.errors import SpecError
from skateboard.explore import plan as sweep_plan
from skateboard.explore import run as sweep_run
from skateboard.explore import sampling, sweep
from skateboard.explore.executors import DaskExecutor
from skateboard.explore.pareto import pareto_mask, summarise_sweep
from skateboard.explore.sweep import plan_sweep, read_manifest, read_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = "hongqi-on-b10"
BEV = "hongqi-b10-bev"
#: A small LHS over a numeric range with units, a plain range and an option list; EU (WLTP STP)
#: and China (CLTC, whose "auto" method is decided per variant by the sweep).
VARY = [f"{BEV}.top_hat.drag_coefficient=0.26..0.32",
        f'{BEV}.top_hat.curb_mass="1.7 t".."1900 kg"',
        f"{BEV}.pack={{56kwh,67kwh}}"]
MARKETS = ["eu", "china"]


def _run(out, **kw):
    args = dict(samples=24, seed=7, markets=MARKETS, chunk_size=24, out=out)
    args.update(kw)
    return run_sweep(PROGRAM, VARY, **args)


def _assert_identical(a: pd.DataFrame, b: pd.DataFrame):
    """Same columns, same dtypes, same values bit for bit (NaN where NaN)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind == "f":
            assert y.dtype.kind == "f", c
            assert np.array_equal(x.view(np.int64), y.view(np.int64)), c
        else:
            assert list(x) == list(y), c


@pytest.fixture(scope="module")
def dask_executor():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    try:
        yield DaskExecutor(client=client)
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run locally in one chunk: the reference the other runs must equal."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    _run(out)
    return out, read_sweep(out)


# --- designs ---------------------------------------------------------------------------------

def test_grid_size_is_product_of_steps_and_each_point_once():
    plan = plan_sweep(PROGRAM, [f"{BEV}.top_hat.drag_coefficient=0.26..0.32:7",
                                f'{BEV}.top_hat.curb_mass="1700 kg".."1.9 t":3',
                                f"{BEV}.wheels=18in|19in"])
    assert plan.method == "grid"
    assert plan.n == 7 * 3 * 2
    cd, mass, wheels = plan.values(0, plan.n)
    points = set(zip(cd.tolist(), mass.tolist(), wheels.tolist()))
    assert len(points) == plan.n
    assert sorted(set(cd.tolist())) == pytest.approx(np.linspace(0.26, 0.32, 7))
    assert sorted(set(mass.tolist())) == [1700.0, 1800.0, 1900.0]
    # chunked generation gives the same points in the same order
    parts = [plan.values(a, min(a + 5, plan.n)) for a in range(0, plan.n, 5)]
    for d in range(3):
        assert np.array_equal(np.concatenate([p[d] for p in parts]), plan.values(0, plan.n)[d])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 500), dims=st.integers(1, 4), seed=st.integers(0, 2**31),
       chunk=st.integers(1, 300))
def test_lhs_hits_each_stratum_once_per_dimension_whatever_the_chunking(n, dims, seed, chunk):
    whole = sampling.lhs_unit(n, dims, seed, 0, n)
    pieces = [sampling.lhs_unit(n, dims, seed, a, min(a + chunk, n)) for a in range(0, n, chunk)]
    for d in range(dims):
        u = whole[d]
        assert np.all((u >= 0) & (u < 1))
        assert np.array_equal(np.sort(np.floor(u * n).astype(int)), np.arange(n))
        assert np.array_equal(np.concatenate([p[d] for p in pieces]), u)
    if dims > 1 and n > 20:  # the dimensions are not permuted alike
        assert not np.array_equal(np.floor(whole[0] * n), np.floor(whole[1] * n))


def test_lhs_depends_on_seed_and_plan_values_span_the_range():
    a = sampling.lhs_unit(100, 2, 1, 0, 100)
    b = sampling.lhs_unit(100, 2, 2, 0, 100)
    assert not np.array_equal(a[0], b[0])
    plan = plan_sweep(PROGRAM, VARY[:2], samples=50, seed=3)
    cd, mass = plan.values(0, 50)
    bins = np.floor((cd - 0.26) / (0.32 - 0.26) * 50).astype(int)
    assert np.array_equal(np.sort(bins), np.arange(50))
    assert mass.min() >= 1700.0 and mass.max() <= 1900.0


# --- argument errors -------------------------------------------------------------------------

@pytest.mark.parametrize("vary, fragments", [
    ("hongqi-b10-bevv.top_hat.drag_coefficient=0.26..0.32:3", ["unknown variant", "did you mean 'hongqi-b10-bev'"]),
    (f"{BEV}.top_hat.drag_coeficient=0.26..0.32:3", ["unknown field", "did you mean 'top_hat.drag_coefficient'"]),
    (f"{BEV}.top_hat.drag_coefficient=0.26...0.32:3", ["top_hat.drag_coefficient", "cannot read this range", "0.26...0.32:3"]),
    (f"{BEV}.top_hat.drag_coefficient=0.32..0.26:3", ["top_hat.drag_coefficient", "empty range", "0.32..0.26"]),
    (f"{BEV}.top_hat.drag_coefficient=0.26..0.32:1", ["top_hat.drag_coefficient", "at least 2 grid points"]),
    (f"{BEV}.top_hat.drag_coefficient=0.26..0.32", ["top_hat.drag_coefficient", "number of grid points"]),
    (f'{BEV}.top_hat.curb_mass="1700 kWh".."1900 kg":3', ["top_hat.curb_mass", "wrong unit", "1700 kWh"]),
    (f"{BEV}.top_hat.curb_mass=1700 kg..20000 kg:3", ["top_hat.curb_mass", "out of range", "20000 kg"]),
    (f"{BEV}.top_hat.curb_mass=1700 kg..2100 kg:3", ["top_hat.curb_mass", "1700 kg..2100 kg", "maximum gross mass"]),
    (f"{BEV}.top_hat.front_mass_share=0.40..0.50:3", ["front_mass_share", "rear axle load"]),
    (f"{BEV}.pack={{56kwh,76kwh}}", ["pack", "not an option", "did you mean '67kwh'"]),
    (f"{BEV}.pack=56kwh..67kwh", ["pack", "list of option names"]),
    (f"{BEV}.top_hat.f0=100..200:3", ["top_hat.f0", "road load"]),
    (f'{BEV}.pack.usable_energy="60 kWh".."70 kWh":3', ["pack.usable_energy", "gross_energy"]),
    (f"{BEV}.top_hat.drag_coefficient", ["expected FIELD=SPEC"]),
    (f'{BEV}.drive_units.front.peak_power="100 kW".."200 kW":2', ["drive_units.front", "no drive unit 'front'", "rear"]),
    (f'{BEV}.drive_units.rear.peak_power="50 kW".."200 kW":2', ["peak_power (50 kW)", "continuous_power", "'80 kW'"]),
    (f"{BEV}.drive_units.rear.max_speed=1000..1200:2", ["cannot vary drive-unit field 'max_speed'", "gear_ratio"]),
    (f"{BEV}.drive_units.rear.gearbox_efficiency=0.9..1.2:2", ["gearbox_efficiency", "out of range"]),
])
def test_bad_vary_is_one_spec_error_naming_the_field_or_range(vary, fragments):
    with pytest.raises(SpecError) as info:
        plan_sweep(PROGRAM, [vary])
    text = info.value.one_line()
    assert "\n" not in text
    for f in fragments:
        assert f in text, text


def test_other_argument_errors():
    with pytest.raises(SpecError, match="same variant"):
        plan_sweep(PROGRAM, [VARY[0], "leapmotor-b10.top_hat.curb_mass=1700..1800:2"])
    with pytest.raises(SpecError, match="varied twice"):
        plan_sweep(PROGRAM, [VARY[0], f"{BEV}.drag_coefficient=0.27..0.28"], samples=4)
    with pytest.raises(SpecError, match="--samples"):
        plan_sweep(PROGRAM, [VARY[0]], method="lhs")
    with pytest.raises(SpecError, match="unknown market"):
        plan_sweep(PROGRAM, [VARY[0]], samples=4, markets=["mars"])
    with pytest.raises(SpecError, match="no combination"):
        plan_sweep(PROGRAM, ["hongqi-b10-erev.range_extender={none}"])


def test_infeasible_combination_is_recorded_not_fatal():
    # the EREV derivative without its range extender breaks a spec rule (its energy-management
    # overrides need one): recorded per combination, the feasible one is kept
    plan = plan_sweep(PROGRAM, ["hongqi-b10-erev.range_extender={none,1500cc}"])
    bad = [c for c in plan.combinations if c.variant is None]
    assert [c.options for c in bad] == [{"options.range_extender": "none"}]
    assert "applies only to a derivative with a range extender" in bad[0].error


# --- fast variant building -------------------------------------------------------------------

def test_fast_path_equals_full_resolution():
    """Variant.replace on a resolved combination gives what the spec layer gives when the
    derivative file itself holds the values."""
    from skateboard.spec import load_derivative

    vary = [f"{BEV}.top_hat.drag_coefficient=0.26..0.32", f"{BEV}.top_hat.curb_mass=1700..1900",
            f"{BEV}.top_hat.frontal_area=2.5..2.8", f"{BEV}.top_hat.rolling_resistance_coefficient=0.006..0.009",
            f"{BEV}.top_hat.front_mass_share=0.46..0.5", f"{BEV}.aux_power=200 W..400 W",
            f"{BEV}.charger_efficiency=0.85..0.92", f"{BEV}.pack.max_charge_power=100 kW..160 kW",
            f"{BEV}.wheels={{18in,19in}}", f"{BEV}.pack={{56kwh,67kwh}}"]
    plan = plan_sweep(PROGRAM, vary, samples=6, seed=1)
    derivative = load_derivative(plan.combinations[0].variant.source_file)
    values = plan.values(0, 6)
    numeric = [d for d in plan.dims if d.field.kind == "numeric"]
    for r in range(6):
        options = {d.field.path: d.values[v[r]] for d, v in zip(plan.dims, values)
                   if d.field.kind == "option"}
        nums = {d.field.path: v[r] for d, v in zip(plan.dims, values) if d.field.kind == "numeric"}
        combo = next(c for c in plan.combinations if c.options == options)
        fast = sweep._fast(combo.variant, numeric, [nums[d.field.path] for d in numeric], "x")
        slow = sweep._resolve(derivative, options, nums).replace(name="x")
        assert fast == slow


def test_drive_unit_fields_equal_a_platform_file_holding_the_values(tmp_path):
    """drive_units.<unit>.<field> applied by Variant.replace gives what the spec layer gives
    when the platform file itself holds the values (and the results follow: same WLTP range)."""
    from skateboard.procedures import wltp
    from skateboard.spec import resolve_variant
    from skateboard.spec.loader import DATA_DIR

    vary = [f'{BEV}.drive_units.rear.peak_power="120 kW".."200 kW"',
            f'{BEV}.drive_units.rear.peak_torque="200 N*m".."300 N*m"',
            f"{BEV}.drive_units.rear.gear_ratio=9..11", f"{BEV}.drive_units.rear.gearbox_efficiency=0.95..0.98",
            f"{BEV}.drive_units.rear.zero_torque_loss_factor=0..1"]
    plan = plan_sweep(PROGRAM, vary, samples=3, seed=2)
    values = plan.values(0, 3)
    base = plan.combinations[0].variant
    platform_text = (DATA_DIR / "platforms" / "b10.toml").read_text()
    derivative_text = (DATA_DIR / "derivatives" / f"{BEV}.toml").read_text()
    for r in range(3):
        row = [float(v[r]) for v in values]
        fast = sweep._fast(base, plan.dims, row, BEV)
        power, torque, ratio, eff, idle = row
        text = platform_text.replace('peak_power = "160 kW"              # source: e-auto.pt',
                                     f'peak_power = "{power} W"  #')
        text = text.replace('peak_torque = "240 N*m"', f'peak_torque = "{torque} N*m"')
        text = text.replace("gear_ratio = 10.6 ", f"gear_ratio = {ratio!r} ")
        text = text.replace("# gearbox_efficiency: default 0.97",
                            f"gearbox_efficiency = {eff!r}\nzero_torque_loss_factor = {idle!r}")
        assert text.count(repr(ratio)) == 1 and text.count(repr(idle)) == 1
        (tmp_path / "b10.toml").write_text(text)
        (tmp_path / "d.toml").write_text(derivative_text.replace('platform = "b10"', 'platform = "b10.toml"'))
        slow = resolve_variant(tmp_path / "d.toml")
        assert fast == slow.replace(source_file=base.source_file)
        assert wltp.run([fast])["range_km"][0] == wltp.run([slow])["range_km"][0]


def test_cltc_auto_method_helper_matches_cltc():
    from skateboard.procedures import cltc
    from skateboard.spec import load_program

    v = load_program(PROGRAM).variant(BEV)
    small = v.replace(pack=v.pack.__class__(**{**v.pack.__dict__, "usable_energy": 10 * 3.6e6,
                                                 "gross_energy": 10.5 * 3.6e6}))
    assert cltc.auto_methods([small])[0] == "CCP"
    assert cltc.run([small])["method"].iloc[0] == "conventional"
    assert cltc.auto_methods([v])[0] == "STP"
    assert cltc.auto_methods([load_program(PROGRAM).variant("hongqi-b10-erev")])[0] == "auto"


# --- determinism -----------------------------------------------------------------------------

def test_same_results_whatever_the_chunk_size_and_executor(reference, tmp_path, dask_executor):
    ref_dir, ref = reference
    assert len(ref) == 24 and ref["feasible"].all()
    assert set(ref["options.pack"]) == {"56kwh", "67kwh"}
    assert ref["eu_range_km"].between(300, 600).all()
    assert (ref["eu_energy_audit_residual"].abs() < 1e-9).all()
    small = _run(tmp_path / "chunk5", chunk_size=5)
    assert small.n_chunks == 5
    _assert_identical(read_sweep(small.directory), ref)
    on_dask = _run(tmp_path / "dask", chunk_size=7, executor=dask_executor)
    assert on_dask.n_chunks == 4
    _assert_identical(read_sweep(on_dask.directory), ref)


def test_batch_size_does_not_change_results(reference, tmp_path, monkeypatch):
    _, ref = reference
    monkeypatch.setattr(sweep_run, "BEV_BATCH", 3)   # where the chunk runner reads it
    _assert_identical(read_sweep(_run(tmp_path / "b3").directory), ref)


def test_range_extended_sweep_is_chunk_independent(tmp_path, monkeypatch):
    vary = ["hongqi-b10-erev.top_hat.drag_coefficient=0.27..0.30:2",
            "hongqi-b10-erev.top_hat.curb_mass=1700..1750:2"]
    a = read_sweep(run_sweep(PROGRAM, vary, out=tmp_path / "a", chunk_size=4).directory)
    monkeypatch.setattr(sweep_run, "EREV_BATCH", 1)
    b = read_sweep(run_sweep(PROGRAM, vary, out=tmp_path / "b", chunk_size=3).directory)
    _assert_identical(a, b)
    assert (a["eu_co2_weighted_g_per_km"] > 0).all() and (a["eu_electric_range_km"] > 50).all()


def test_markets_with_the_same_procedure_options_and_fuel_share_one_run(tmp_path, monkeypatch):
    """EU and UK run WLTP with the same options and fuel: one run serves both (as in
    evaluate), and its columns equal those of a sweep of the EU alone; the Gulf's Euro 6 utility
    factors (other options) get a run of their own and another weighted CO2."""
    from skateboard.procedures import TABLES

    vary = ["hongqi-b10-erev.top_hat.drag_coefficient=0.27..0.30:2"]
    alone = read_sweep(run_sweep(PROGRAM, vary, out=tmp_path / "eu", markets=["eu"]).directory)
    calls = []
    wltp = TABLES["wltp"]
    monkeypatch.setitem(TABLES, "wltp", lambda vs, **kw: calls.append(kw) or wltp(vs, **kw))
    df = read_sweep(run_sweep(PROGRAM, vary, out=tmp_path / "three",
                              markets=["eu", "uk", "gulf"]).directory)
    assert sorted(c["uf_stage"] for c in calls) == ["euro6", "euro6e-bis"]
    for c in sweep_plan.RESULT_COLUMNS:
        assert np.array_equal(df[f"eu_{c}"], alone[f"eu_{c}"], equal_nan=True), c
        assert np.array_equal(df[f"uk_{c}"], df[f"eu_{c}"], equal_nan=True), c
    assert (df["gulf_co2_weighted_g_per_km"] != df["eu_co2_weighted_g_per_km"]).all()


# --- resuming and refusing -------------------------------------------------------------------

class Crash(RuntimeError):
    pass


def test_resume_after_crash_skips_finished_chunks_and_matches(reference, tmp_path):
    _, ref = reference
    out = tmp_path / "sweep"

    def crash_after_two(index):
        if index == 1:
            raise Crash
    with pytest.raises(Crash):
        _run(out, chunk_size=6, after_chunk=crash_after_two)
    parts = sorted(p.name for p in out.glob("part-*.parquet"))
    assert parts == ["part-00000.parquet", "part-00001.parquet"]
    assert read_manifest(out)["complete"] is False
    stamps = {p: (out / p).stat().st_mtime_ns for p in parts}
    (out / ".part-00002.parquet.999.tmp").write_bytes(b"half a file")  # as a kill -9 leaves it
    res = _run(out, chunk_size=6)
    assert (res.chunks_skipped, res.chunks_run) == (2, 2)
    assert {p: (out / p).stat().st_mtime_ns for p in parts} == stamps
    assert not list(out.glob(".*.tmp"))
    assert read_manifest(out)["complete"] is True
    _assert_identical(read_sweep(out), ref)
    again = _run(out, chunk_size=6)
    assert (again.chunks_skipped, again.chunks_run) == (4, 0)


def test_kill_9_loses_nothing_finished(reference, tmp_path):
    """A real SIGKILL in the middle of a sweep: the part files present are complete and the
    rerun finishes the sweep with the reference's results."""
    _, ref = reference
    out = tmp_path / "sweep"
    code = textwrap.dedent(f"""
        import time
        from skateboard.explore.sweep import run_sweep
        run_sweep({PROGRAM!r}, {VARY!r}, samples=24, seed=7, markets={MARKETS!r}, chunk_size=3,
                  out={str(out)!r}, after_chunk=lambda i: time.sleep(0.3))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.time() + 120
        while not (out / "_manifest.json").exists() or len(read_manifest(out)["parts"]) < 2:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.time() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    finished = sorted(read_manifest(out)["parts"])  # a part file not yet recorded is redone
    assert 2 <= len(finished) < 8
    for f in finished:
        pd.read_parquet(out / f)  # complete files only
    res = _run(out, chunk_size=3)
    assert res.chunks_skipped == len(finished)
    _assert_identical(read_sweep(out), ref)


def test_refuses_to_mix_arguments(reference, tmp_path):
    ref_dir, _ = reference
    before = sorted(p.name for p in ref_dir.iterdir())
    for change in (dict(seed=8), dict(samples=25), dict(markets=["eu"]), dict(chunk_size=5)):
        with pytest.raises(SpecError, match="DIR holds a sweep with other arguments") as info:
            _run(ref_dir, **change)
        assert str(ref_dir) in info.value.one_line()
    with pytest.raises(SpecError, match="DIR holds a sweep with other arguments"):
        run_sweep(PROGRAM, [VARY[0].replace("0.32", "0.33"), *VARY[1:]], samples=24, seed=7,
                  markets=MARKETS, chunk_size=24, out=ref_dir)
    assert sorted(p.name for p in ref_dir.iterdir()) == before
    other = tmp_path / "notes"
    other.mkdir()
    (other / "readme.txt").write_text("mine")
    with pytest.raises(SpecError, match="not empty"):
        _run(other)


def test_refuses_to_resume_with_other_code(reference, monkeypatch):
    # another version of the package could compute other results than the finished chunks'
    ref_dir, _ = reference
    monkeypatch.setattr(sweep_plan, "code_fingerprint", lambda: "0" * 64)
    with pytest.raises(SpecError, match="other arguments") as info:
        _run(ref_dir)
    assert "code_fingerprint" in info.value.one_line()


# --- memory ----------------------------------------------------------------------------------

def test_memory_stays_bounded(tmp_path, monkeypatch):
    """Everything but the physics (design, variant building, results, Parquet) at N = 4 000 and
    N = 20 000 in chunks of 2 000: the peak of traced Python/NumPy memory must not grow with N.
    The procedures are replaced by a cheap stand-in (their memory per call is bounded by the
    batch size, independent of N); benchmarks/sweep_scale.py measures the real thing."""
    def fake_market(plan, market, groups, n, errors):
        x = np.full(n, np.nan)
        for rows, batch in groups:
            x[rows] = batch.column("drag_coefficient") * batch.column("curb_mass")
        return {c: x.copy() for c in sweep.RESULT_COLUMNS}
    monkeypatch.setattr(sweep_run, "_run_market", fake_market)

    def peak(n):
        tracemalloc.start()
        try:
            run_sweep(PROGRAM, VARY, samples=n, seed=1, chunk_size=2000, out=tmp_path / f"n{n}")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    peak(100)  # first use: imports and caches, not sweep memory
    small, large = peak(4000), peak(20000)
    assert len(read_sweep(tmp_path / "n20000", columns=["sample"])) == 20000
    # bound: 15 MB (measured 4.2 MB at both sizes while a chunk held 2 000 Variant objects;
    # now a VariantBatch of arrays, sample arrays and ~30 result columns); holding every chunk would need 5 x more at 20 000
    assert large < 15e6, large
    assert large < 1.25 * small + 1e6, (small, large)


# --- summary ---------------------------------------------------------------------------------

def test_pareto_mask_by_hand():
    x = np.array([1.0, 2.0, 2.0, 3.0, 1.0, np.nan, 4.0])
    y = np.array([5.0, 6.0, 7.0, 7.0, 4.0, 9.0, 8.0])
    # minimise x, maximise y: (1,5), (2,7), (4,8) are not dominated
    assert pareto_mask(x, y).tolist() == [True, False, True, False, False, False, True]
    # maximise x, minimise y: (2,6), (3,7), (1,4), (4,8)
    assert pareto_mask(x, y, x_sense="max", y_sense="min").tolist() == \
        [False, True, False, True, True, False, True]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=40),
       st.sampled_from(["min", "max"]), st.sampled_from(["min", "max"]))
def test_pareto_mask_matches_brute_force(points, xs, ys):
    x = np.array([p[0] for p in points], float)
    y = np.array([p[1] for p in points], float)
    a = x if xs == "min" else -x
    b = y if ys == "min" else -y
    dominated = [any((a[j] <= a[i] and b[j] <= b[i]) and (a[j] < a[i] or b[j] < b[i])
                     for j in range(len(x))) for i in range(len(x))]
    mask = pareto_mask(x, y, x_sense=xs, y_sense=ys)
    front = {(x[i], y[i]) for i in range(len(x)) if mask[i]}
    expected = {(x[i], y[i]) for i in range(len(x)) if not dominated[i]}
    assert front == expected
    assert mask.sum() == len(expected)  # one of identical points


def test_summary_front_and_targets(reference):
    ref_dir, ref = reference
    s = summarise_sweep(ref_dir)
    assert (s.x.label, s.y.label) == ("min:pack_gross_energy_kwh", "max:eu_range_km")
    assert s.n_rows == s.n_expected == 24
    # nothing feasible dominates a front point; every other point is dominated by one
    for _, r in s.front.iterrows():
        better = ref[(ref.pack_gross_energy_kwh <= r.pack_gross_energy_kwh)
                     & (ref.eu_range_km >= r.eu_range_km)
                     & ((ref.pack_gross_energy_kwh < r.pack_gross_energy_kwh)
                        | (ref.eu_range_km > r.eu_range_km))]
        assert better.empty
    assert len(s.front) == 2  # one best-range variant per pack option
    # targets of hongqi-b10-bev: min_range_km 420, max_consumption_wh_per_km 160 (eu, china)
    assert set(s.checked) == {"min_range_km", "max_consumption_wh_per_km"}
    assert "max_accel_0_100_s" in s.unchecked
    ok = ((ref.eu_range_km >= 420) & (ref.china_range_km >= 420)
          & (ref.eu_consumption_wh_per_km <= 160) & (ref.china_consumption_wh_per_km <= 160))
    assert 0 < ok.sum() < len(ref)
    assert sorted(s.meeting_targets["sample"]) == sorted(ref.loc[ok, "sample"])
    with pytest.raises(SpecError, match="did you mean 'eu_range_km'"):
        summarise_sweep(ref_dir, y="eu_rang_km")


# --- command line ----------------------------------------------------------------------------

CLI = ("from skateboard import cli\n"
       "from skateboard.cli.sweep import register\n"
       "names = {c.name or c.callback.__name__ for c in cli.app.registered_commands}\n"
       "'sweep' in names or register(cli.app)\n"
       "cli.main()\n")


def _cli(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("SKATEBOARD_DEBUG", None)
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=600)


def test_cli_sweep_and_summary(tmp_path):
    out = tmp_path / "s"
    r = _cli("sweep", PROGRAM, "--vary", f"{BEV}.top_hat.drag_coefficient=0.26..0.32:2",
             "--vary", f"{BEV}.pack={{56kwh,67kwh}}", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "4 variants" in r.stdout
    r = _cli("sweep-summary", str(out), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["n_rows"] == 4
    assert [row["options.pack"] for row in data["front"]] == ["56kwh", "67kwh"]
    assert all(row["top_hat.drag_coefficient"] == 0.26 for row in data["front"])


def test_cli_bad_vary_one_line_exit_2(tmp_path):
    r = _cli("sweep", PROGRAM, "--vary", f"{BEV}.top_hat.drag_coefficient=0.32..0.26:3",
             "--out", str(tmp_path / "x"))
    assert r.returncode == 2
    lines = [x for x in r.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and "empty range" in lines[0] and "drag_coefficient" in lines[0]
    assert not (tmp_path / "x").exists()


def test_existing_cluster_reached_by_address(reference, tmp_path):
    # `--executor dask --scheduler ADDRESS`: a scheduler and a worker started as separate
    # processes (what an existing cluster is), reached over TCP by their address only
    _, ref = reference
    scheduler_file = tmp_path / "scheduler.json"
    common = ["--scheduler-file", str(scheduler_file), "--no-dashboard"]
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", *common], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # the file is written once; let it land whole
        address = json.loads(scheduler_file.read_text())["address"]
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", "--nthreads", "1",
                                       "--nworkers", "1", *common],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=60)
        result = run_sweep(PROGRAM, VARY, samples=24, seed=7, markets=MARKETS, chunk_size=10,
                           out=tmp_path / "remote", executor="dask", scheduler=address)
        assert result.n_chunks == 3
        _assert_identical(read_sweep(result.directory), ref)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
