"""One model (issue #15 §1): the car a user writes in TOML gets the same calibrated physics
defaults (charger efficiency, drive-unit loss rule) as the generic vehicles that ``skateboard
validate epa-testcar`` scores, so the published accuracy describes the model users run."""

from __future__ import annotations

import json
import math

import pytest

from skateboard import validation as V
from skateboard.physics.drive_unit import NAMED_LOSS_MAPS
from skateboard.procedures import epa
from skateboard.spec import defaults as D
from skateboard.spec import load_platform, resolve_variant
from skateboard.spec.models import DEFAULT_CHARGER_EFFICIENCY, default_pack_resistance
from skateboard.validation.epa_list import CYCLES
from skateboard.validation.technology import technology_of


def _row(make: str, model_part: str) -> dict:
    rows = V.read_epa_testcar(V.EPA_TESTCAR_FILE)
    pick = rows[(rows["make"] == make) & rows["model"].str.contains(model_part, regex=False)]
    return pick.iloc[0].to_dict()


def _toml_car(tmp_path, row: dict) -> str:
    """A platform + derivative written from an EPA row by the generic rules, giving neither a
    loss map nor a charger efficiency (so the spec layer's defaults apply), as a user would."""
    d = V.CALIBRATED
    layout = row.get("layout") or V.drive_layout(str(row["drive"]))
    power = float(row["rated_hp"]) * V.HORSEPOWER
    axles = {"FWD": [("front", power)], "RWD": [("rear", power)],
             "AWD": [("front", power * d.awd_front_share), ("rear", power * (1 - d.awd_front_share))]}[layout]
    mass = float(row["test_mass_kg"])
    # the technology a user declares: the side table's row for this model (issue #15 §3)
    tech = technology_of(str(row["make"]), str(row["model"]))
    units = "".join(f"""
[drive_units.{axle}]
axle = "{axle}"
peak_power = {p!r}
continuous_power = {0.5 * p!r}
peak_torque = {p * d.base_speed_ratio / d.motor_max_speed!r}
max_speed = {d.motor_max_speed!r}
gear_ratio = {d.motor_max_speed * d.wheel_radius / d.top_speed!r}
motor_type = "{tech.motor(axle)}"
inverter = "{tech.inverter(axle)}"
disconnect = {str(axle == "front" and tech.front_disconnect and layout == "AWD").lower()}
""" for axle, p in axles)
    (tmp_path / "epa-platform.toml").write_text(f"""\
name = "epa-row"
maker = "{row['make']}"
title = "platform written from one EPA row"

[packs.generic]
chemistry = "{d.pack_chemistry}"
usable_energy = {d.pack_usable_energy!r}
gross_energy = {d.pack_gross_energy!r}
nominal_voltage = {d.pack_nominal_voltage!r}
max_discharge_power = {power / 0.85 + d.aux_power!r}
max_charge_power = {d.pack_max_charge_power!r}
{units}
[chassis]
wheelbase = {d.wheelbase!r}
track = {d.track!r}
cg_height = {d.cg_height!r}
max_gross_mass = {mass + 500.0!r}
max_front_axle_load = {mass + 500.0!r}
max_rear_axle_load = {mass + 500.0!r}

[wheels.generic]
rolling_radius = {d.wheel_radius!r}
""")
    path = tmp_path / "epa-car.toml"
    path.write_text(f"""\
name = "epa-car"
label = {json.dumps(f"{row['make']} {row['model']}")}
maker = "{row['make']}"
platform = "epa-platform.toml"

[top_hat]
curb_mass = {mass!r}
front_mass_share = {d.front_mass_share!r}
rotating_inertia_fraction = 0.0
f0 = {float(row['f0_n'])!r}
f1 = {float(row['f1_n_per_mps'])!r}
f2 = {float(row['f2_n_per_mps2'])!r}

[options]
pack = "generic"
drive_units = {json.dumps([a for a, _ in axles])}
wheels = "generic"
""")
    return str(path)


@pytest.mark.parametrize("make, model, technology", [
    ("BMW", "i4 eDrive 40", ("eesm", "si")),                    # rear-wheel drive
    ("Tesla", "Model Y Long Range AWD", ("induction", "sic")),  # front induction, rear PMSM
    ("AUDI", "e-tron 55 quattro", ("induction", "si")),         # two induction machines
    ("NISSAN", "LEAF", ("pmsm", "si")),                         # not in the side table: generic
])
def test_an_epa_row_gives_the_same_consumption_both_ways(tmp_path, make, model, technology):
    """The validation path (epa_variant, with the row's technology from the side table) and a
    TOML car written from the same row (no loss map, no charger efficiency: the spec defaults;
    the technology declared as a user would) give the same UDDS and HWFET AC consumption."""
    row = _row(make, model)
    ours = V.epa_variant(row, name="validation")
    users = resolve_variant(_toml_car(tmp_path, row))
    assert users.charger_efficiency == ours.charger_efficiency == D.CHARGER_EFFICIENCY
    assert sorted(du.axle for du in users.drive_units) == sorted(du.axle for du in ours.drive_units)
    front_or_only = next(u for u in ours.drive_units if u.axle == ours.drive_units[0].axle)
    assert (front_or_only.motor_type, front_or_only.inverter) == technology
    for du in users.drive_units:
        mine = next(u for u in ours.drive_units if u.axle == du.axle)
        assert du.loss_coefficients == pytest.approx(mine.loss_coefficients, rel=1e-12)
        assert du.zero_torque_loss_factor == mine.zero_torque_loss_factor
        assert (du.motor_type, du.inverter) == (mine.motor_type, mine.inverter)
    mass = float(row["test_mass_kg"])
    for cycle in ("UDDS", "HWFET"):
        test = epa.multi_cycle_test([ours, users], CYCLES[cycle], [mass, mass])
        a, b = test.ac_wh_per_km
        assert 80 < a < 400
        assert b == pytest.approx(a, rel=1e-9), cycle


def test_the_defaults_are_the_calibrated_ones():
    """A platform without charger_efficiency and a unit without loss_map get the calibrated
    values, and validation reads them from the spec layer (one copy)."""
    assert DEFAULT_CHARGER_EFFICIENCY == D.CHARGER_EFFICIENCY == V.CALIBRATED.charger_efficiency
    assert D.DEFAULT_LOSS_MAP == "calibrated"
    assert (V.CALIBRATED.no_load_loss_scale, V.CALIBRATED.copper_loss_scale,
            V.CALIBRATED.copper_loss_rating_exponent, V.CALIBRATED.loss_reference_power,
            V.CALIBRATED.induction_loss_scale, V.CALIBRATED.sic_loss_scale) == \
        (D.NO_LOAD_LOSS_SCALE, D.COPPER_LOSS_SCALE, D.COPPER_LOSS_RATING_EXPONENT,
         D.LOSS_REFERENCE_POWER, D.INDUCTION_LOSS_SCALE, D.SIC_LOSS_SCALE)


def test_calibrated_rule_by_hand():
    """A 300 kW unit: no-load terms x 0.15 x 150/300, load term x 5 x 2^0.75 (hand calculation
    from docs/accuracy.md's rule); a 150 kW unit's no-load loss [W] equals a 300 kW unit's."""
    c0, c1, c2, c3 = NAMED_LOSS_MAPS["pmsm_generic"]
    got = D.calibrated_loss_coefficients(300e3)
    assert got == pytest.approx((c0 * 0.075, c1 * 0.075, c2 * 5 * 2 ** 0.75, c3 * 0.075), rel=1e-12)
    small = D.calibrated_loss_coefficients(150e3)
    assert 150e3 * small[0] == pytest.approx(300e3 * got[0], rel=1e-12)


@pytest.mark.parametrize("motor_type, inverter", [("pmsm", "si"), ("induction", "si"),
                                                   ("eesm", "sic"), ("induction", "sic")])
def test_technology_scales_every_loss_term_by_hand(motor_type, inverter):
    """The technology multiplies all four coefficients of the calibrated rule: induction x the
    induction scale, SiC x the SiC scale, EESM and PMSM x 1 (skateboard.spec.defaults)."""
    k = ((D.INDUCTION_LOSS_SCALE if motor_type == "induction" else 1.0)
         * (D.SIC_LOSS_SCALE if inverter == "sic" else 1.0))
    base = D.calibrated_loss_coefficients(200e3)
    got = D.calibrated_loss_coefficients(200e3, motor_type=motor_type, inverter=inverter)
    assert got == pytest.approx(tuple(c * k for c in base), rel=1e-15)
    with pytest.raises(ValueError):
        D.technology_loss_scale("switched_reluctance", "si")


def test_the_load_loss_follows_the_shaft_torque_not_the_declared_limit():
    """Two units of the same rating and speed that declare different peak torques lose the same
    at the same shaft torque (the calibrated load term is referred to the rule torque)."""
    from skateboard.physics.drive_unit import loss_power

    w_max = 16000 * 2 * math.pi / 60
    torque = [50.0, 120.0, 200.0]
    losses = [loss_power(800.0, torque, t_peak, 160e3, w_max,
                         D.calibrated_loss_coefficients(160e3, t_peak, w_max))
              for t_peak in (240.0, D.rule_peak_torque(160e3, w_max), 350.0)]
    assert losses[0] == pytest.approx(losses[1], rel=1e-12)
    assert losses[2] == pytest.approx(losses[1], rel=1e-12)


def test_bundled_platforms_use_the_calibrated_default():
    """No bundled unit has a measured map of its own, so every one uses the calibrated rule."""
    for name in ("b10", "c10"):
        platform = load_platform(name)
        assert platform.charger_efficiency in (D.CHARGER_EFFICIENCY, 0.86)  # B10: sourced 0.86
        for du in platform.drive_units.values():
            assert du.loss_map == "calibrated"
            assert du.loss_coefficients == D.calibrated_loss_coefficients(
                du.peak_power, du.peak_torque, du.max_speed)
