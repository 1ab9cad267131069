"""VariantBatch (skateboard.spec.batch): a sweep's samples as columns give, through every
procedure, the figures of the same variants as objects, and the batch's own operations (index,
take, names, columns) keep each sample's values."""

import numpy as np
import pytest

from skateboard.explore.plan import batch_of, plan_sweep
from skateboard.procedures import TABLES
from skateboard.spec.batch import VariantBatch, column, has_range_extender, names, pack_column, take

PROGRAM = "hongqi-on-b10"


def _batch(variant: str, n: int, seed: int = 3) -> VariantBatch:
    """n samples of a box that varies a Variant field, the pack's energies (the pack's and the
    curb mass follow) and the rear drive unit's rating (its loss coefficients follow)."""
    vary = [f"{variant}.top_hat.drag_coefficient=0.26..0.32",
            f'{variant}.pack.gross_energy="58 kWh".."67 kWh"',
            f'{variant}.pack.usable_energy="54 kWh".."57 kWh"',
            f'{variant}.drive_units.rear.peak_power="140 kW".."180 kW"',
            f"{variant}.drive_units.rear.gear_ratio=9..11"]
    plan = plan_sweep(PROGRAM, vary, samples=n, seed=seed)
    values = np.column_stack(plan.values(0, n))
    return batch_of(plan.combinations[0].variant, plan.dims, values, variant, first=10)


def _assert_same_table(a, b, what):
    assert list(a.columns) == list(b.columns), what
    for c in a.columns:
        x, y = list(a[c]), list(b[c])
        if all(isinstance(v, (int, float, np.floating, np.integer)) for v in x + y):
            np.testing.assert_allclose(np.asarray(x, float), np.asarray(y, float), rtol=1e-12,
                                       atol=0.0, equal_nan=True, err_msg=f"{what}: {c}")
        else:
            assert [str(v) for v in x] == [str(v) for v in y], (what, c)


@pytest.mark.parametrize("variant,n", [("hongqi-b10-bev", 5), ("hongqi-b10-erev", 3)])
def test_every_procedure_gives_a_batch_the_figures_of_its_variants(variant, n):
    batch = _batch(variant, n)
    objects = [batch[i] for i in range(n)]
    for name, table in TABLES.items():
        _assert_same_table(table(batch), table(objects), f"{variant} {name}")


def test_batch_rows_hold_each_samples_values():
    batch = _batch("hongqi-b10-bev", 6)
    t = batch.template
    assert len(batch) == 6 and batch.names().tolist() == [f"hongqi-b10-bev#{10 + i}" for i in range(6)]
    gross = pack_column(batch, "gross_energy")
    for i in range(6):
        v = batch[i]
        assert v.name == f"hongqi-b10-bev#{10 + i}"
        assert v.drag_coefficient == column(batch, "drag_coefficient")[i]
        assert v.pack.gross_energy == gross[i] and v.pack.chemistry == t.pack.chemistry
        # the pack's mass follows its energy at the option's energy density, the curb mass too
        dm = t.pack.mass * (gross[i] / t.pack.gross_energy - 1.0)
        assert v.pack.mass == pytest.approx(t.pack.mass + dm, rel=1e-12)
        assert v.curb_mass == pytest.approx(t.curb_mass + dm, rel=1e-12)
        rear = next(d for d in v.drive_units if d.name == "rear")
        assert rear == next(d for d in t.drive_units if d.name == "rear").rerated(
            peak_power=rear.peak_power, gear_ratio=rear.gear_ratio)
        assert v.frontal_area == t.frontal_area and v.range_extender is t.range_extender
    # take keeps names and values; negative and out-of-range indices as a list's
    sub = take(batch, [4, 1])
    assert isinstance(sub, VariantBatch) and list(names(sub)) == [batch[4].name, batch[1].name]
    assert sub[0] == batch[4] and sub[-1] == batch[1] and batch[-1] == batch[5]
    with pytest.raises(IndexError):
        batch[6]
    assert batch[1:3][0] == batch[1]
    mask = np.array([False, True, False, False, True, False])
    assert list(names(batch[mask])) == [batch[1].name, batch[4].name]
    # fields no sample changes come from the template, for a list of objects alike
    for field in ("frontal_area", "aux_power", "f0"):
        np.testing.assert_array_equal(column(batch, field), column([batch[i] for i in range(6)], field))
    assert not has_range_extender(batch).any()


@pytest.mark.parametrize("kw,field,words", [
    (dict(fields={"drag_coefficient": [0.3, 27.0]}), "#1.drag_coefficient", "out of range"),
    (dict(fields={"drag_coefficient": [0.3, float("nan")]}), "#1.drag_coefficient", "finite"),
    (dict(fields={"drag_coefficient": [0.3]}), ".drag_coefficient", "one per variant"),
    (dict(fields={"drag": [0.3, 0.3]}), ".drag", "not a Variant field"),
    (dict(fields={"curb_mass": [1800.0, 3500.0]}), "#1.curb_mass", "maximum gross mass"),
    (dict(pack={"gross_energy": [80 * 3.6e6, 10 * 3.6e6]}), "#1.pack.gross_energy", "usable_energy"),
    (dict(units={"front": {"peak_power": [1e5, 1e5]}}), ".drive_units.front", "no drive unit"),
    (dict(units={"rear": {"peak_power": [1e5, 1e3]}}), "#1.drive_units.rear.continuous_power", "peak_power"),
    (dict(fields={"f0": [100.0, 100.0]}), "#0.f0", "one form"),
    (dict(fields={"front_mass_share": [0.5, 0.95]}), "#1.front_mass_share", "axle load"),
])
def test_a_bad_batch_is_one_clear_error_naming_the_row(kw, field, words):
    """A VariantBatch checks its arrays as Variant.replace checks one change: the first bad
    row and field in one SpecError line, never a NaN or an out-of-range value in a result."""
    from skateboard.errors import SpecError
    from skateboard.spec import resolve_variant

    v = resolve_variant("hongqi-b10-bev")
    kw = {k: ({u: {f: np.asarray(a) for f, a in d.items()} for u, d in val.items()} if k == "units"
              else {f: np.asarray(a) for f, a in val.items()}) for k, val in kw.items()}
    with pytest.raises(SpecError) as info:
        VariantBatch(v, 2, **kw)
    line = info.value.one_line()
    assert f"hongqi-b10-bev{field}" in line and words in line and "\n" not in line
