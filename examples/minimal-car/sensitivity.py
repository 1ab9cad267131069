"""How much each defaulted value of the minimal car moves its WLTP range (docs/spec.md,
"A minimal car"). Run from the repository root:

    .venv/bin/python examples/minimal-car/sensitivity.py

Each row changes one defaulted value on a copy of the car (``Variant.replace``, or
``DriveUnit.rerated`` / ``Pack`` replacement for the parts) and runs WLTP (EU, shortened
method) on it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from skateboard.procedures import wltp
from skateboard.spec import load_program
from skateboard.spec.models import default_pack_resistance

HERE = Path(__file__).parent


def main() -> None:
    car = load_program(HERE / "program.toml").variants[0]
    unit = car.drive_units[0]
    pack = car.pack

    def units(**kw):
        return car.replace(drive_units=(unit.rerated(**kw),))

    def voltage(volts):
        p = dataclasses.replace(pack, nominal_voltage=volts,
                                resistance=default_pack_resistance(pack.chemistry, volts, pack.gross_energy))
        return car.replace(pack=p)

    cases = [
        ("(as defaulted)", car),
        ("drive unit motor_type pmsm -> induction", units(motor_type="induction", zero_torque_loss_factor=0.0)),
        ("drive unit inverter si -> sic", units(inverter="sic")),
        ("frontal area factor 0.85 -> 0.80", car.replace(frontal_area=car.frontal_area * 0.80 / 0.85)),
        ("rolling resistance 0.0077 -> 0.0085", car.replace(rolling_resistance_coefficient=0.0085)),
        ("rolling-resistance speed coefficient 1.2e-4 -> 0 s/m",
         car.replace(rolling_resistance_speed_coefficient=0.0)),
        ("rolling-resistance speed coefficient 1.2e-4 -> 0.8e-4 s/m",
         car.replace(rolling_resistance_speed_coefficient=0.8e-4)),
        ("auxiliary power 300 -> 400 W", car.replace(aux_power=400.0)),
        ("gear ratio -10 %", units(gear_ratio=unit.gear_ratio * 0.9)),
        ("maximum laden mass +200 kg", car.replace(max_gross_mass=car.max_gross_mass + 200.0,
                                                   max_front_axle_load=car.max_front_axle_load + 200.0,
                                                   max_rear_axle_load=car.max_rear_axle_load + 200.0)),
        ("nominal voltage 400 -> 800 V", voltage(800.0)),
        ("peak torque -20 %", units(peak_torque=unit.peak_torque * 0.8)),
        ("drive unit motor_type pmsm -> eesm", units(motor_type="eesm")),
    ]
    ranges = wltp.run([v for _, v in cases])["range_km"].to_numpy()
    base = ranges[0]
    print(f"{'defaulted value changed':60s} {'WLTP km':>8s} {'change':>8s}")
    for (what, _), r in zip(cases, ranges):
        print(f"{what:60s} {r:8.1f} {(r / base - 1) * 100:+7.1f} %")


if __name__ == "__main__":
    main()
