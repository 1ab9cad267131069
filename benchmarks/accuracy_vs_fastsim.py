"""Accuracy on the EPA calibration file: Skateboard vs FASTSim-3, same rows, same inputs.

Run (FASTSim in its own environment, so the project's is not disturbed):

    python3 -m venv /tmp/accvenv && /tmp/accvenv/bin/pip install -e '.[bench]'
    /tmp/accvenv/bin/python benchmarks/accuracy_vs_fastsim.py [--csv FILE] [--json]

Without fastsim installed the script says so and prints Skateboard's figures only.

Both tools get, for every row that passes the plausibility screen of
:mod:`skateboard.validation`, the same inputs: test mass (EPA equivalent test weight, also the
inertia: wheel inertia set to zero), coast-down coefficients F0/F1/F2, drive layout and rated
power; everything else is each tool's own generic default, except two assumptions both share:
auxiliary power (Skateboard's 300 W) and a single-speed gearbox efficiency of 0.97.

FASTSim-3 has no A/B/C road-load input (its issue #276), so the coefficients are converted:
- F1 (the linear term) is folded into F0 and F2 by a least-squares fit of F0' + F2' v^2 to
  F0 + F1 v + F2 v^2 over the moving samples of the row's cycle, each weighted by the distance
  driven in it (so the cycle's road-load energy is kept to within the fit residual);
- rolling-resistance coefficient = F0' / (m g), m the test mass, g = 9.80665 m/s^2;
- drag coefficient = 2 F2' / (rho A) with FASTSim's constant air density rho (read from the run,
  1.2 kg/m^3) and an assumed frontal area A = 2.4 m^2 (only the product C_d A matters).
The FASTSim vehicle starts from its bundled 2022 Renault Zoe ZE50 resource (a BEV without thermal
models); the motor keeps FASTSim's default efficiency curve over output-power fraction, the
battery its constant efficiency. One FASTSim run per row and cycle (FASTSim has no multi-cycle
depletion test; the consumption per distance of one cycle is what is compared).

AC consumption = battery chemical energy / charger efficiency / distance. FASTSim is shown with
Skateboard's calibrated charger efficiency and, to be fair to a tool given one fitted number,
with its own charger efficiency fitted by the same zero-bias rule as
:func:`skateboard.validation.calibrate`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from skateboard import validation as V  # noqa: E402
from skateboard.cycles import load_cycle  # noqa: E402

GRAVITY = 9.80665
ASSUMED_FRONTAL_AREA = 2.4  # m^2; only C_d * A enters the drag force
GEARBOX_EFFICIENCY = 0.97
FASTSIM_TEMPLATE = "2022_Renault_Zoe_ZE50_R135.yaml"
FASTSIM_LAYOUT = {"FWD": "FWD", "RWD": "RWD", "AWD": "AWD"}


def fold_f1(f0: float, f1: float, f2: float, cycle_name: str) -> tuple[float, float]:
    """(F0', F2') of F0' + F2' v^2 closest to F0 + F1 v + F2 v^2 over the cycle's moving
    samples, distance-weighted (weighted least squares)."""
    v = load_cycle(cycle_name).speed
    v = v[v > 0.1]
    w = v / v.sum()  # distance per 1-s sample is proportional to speed
    a = np.column_stack([np.ones_like(v), v * v]) * np.sqrt(w)[:, None]
    b = (f0 + f1 * v + f2 * v * v) * np.sqrt(w)
    (c0, c2), *_ = np.linalg.lstsq(a, b, rcond=None)
    return float(c0), float(c2)


def fastsim_rows(rows, aux_power: float):
    """Battery chemical energy per distance [Wh/km] of each row by FASTSim-3 (None per row on
    failure) and the air density FASTSim used."""
    import fastsim as fsim

    template = fsim.Vehicle.from_resource(FASTSIM_TEMPLATE).to_dict()
    cycles = {c: fsim.Cycle.from_resource(f"{c.lower()}.csv") for c in V.CYCLES}
    rho = 1.2  # FASTSim-3 SimParams.f2_const_air_density = True uses 1.2 kg/m^3; checked below
    out, seen_rho = [], set()
    for r in rows:
        f0, f2 = fold_f1(r["f0_n"], r["f1_n_per_mps"], r["f2_n_per_mps2"], V.CYCLES[r["cycle"]])
        m = r["test_mass_kg"]
        d = json.loads(json.dumps(template))
        d["name"] = f"{r['make']} {r['model']}"
        d["mass_kilograms"] = m
        ch = d["chassis"]
        ch.update({"drag_coef": 2.0 * f2 / (rho * ASSUMED_FRONTAL_AREA),
                   "frontal_area_square_meters": ASSUMED_FRONTAL_AREA,
                   "wheel_rr_coef": f0 / (m * GRAVITY), "wheel_inertia_kilogram_square_meters": 0.0,
                   "drive_type": FASTSIM_LAYOUT[V.drive_layout(r["drive"])],
                   "glider_mass_kilograms": None, "cargo_mass_kilograms": None})
        bev = d["pt_type"]["BEV"]
        bev["em"]["pwr_out_max_watts"] = r["rated_hp"] * V.HORSEPOWER
        bev["transmission"]["eff_interp"] = GEARBOX_EFFICIENCY
        bev["res"]["energy_capacity_joules"] = 80.0 * 3.6e6
        d["pwr_aux_base_watts"] = aux_power
        try:
            veh = fsim.Vehicle.from_dict(d)
            sd = fsim.SimDrive(veh, cycles[r["cycle"]])
            sd.run()
            res = sd.to_dict()
            e = res["veh"]["pt_type"]["BEV"]["res"]["state"]["energy_out_chemical_joules"]
            dist = res["veh"]["state"]["dist_meters"]
            seen_rho.add(round(res["veh"]["state"]["air_density_kilograms_per_cubic_meter"], 6))
            out.append(e / 3.6 / dist)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"  FASTSim failed on line {r['line']} ({r['make']} {r['model']}): {exc}")
            out.append(None)
    if seen_rho and seen_rho != {rho}:
        print(f"  warning: FASTSim used air density {sorted(seen_rho)}, drag converted with {rho}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", default=str(V.EPA_TESTCAR_FILE), help="EPA test-car file")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    result = V.validate_epa_testcar(args.csv)
    t_sb = time.perf_counter() - t0
    rows = result.rows.to_dict("records")
    table = V.read_epa_testcar(args.csv).set_index("line")
    for r in rows:
        r.update({k: table.loc[r["line"], k] for k in ("f0_n", "f1_n_per_mps", "f2_n_per_mps2")})
    meas = np.array([r["measured_wh_per_km_ac"] for r in rows])
    sb = np.array([r["predicted_wh_per_km_ac"] for r in rows])
    report = {"file": args.csv, "n": len(rows), "n_excluded": int(len(result.excluded)),
              "skateboard": {**V.error_summary(sb, meas), "seconds": t_sb,
                             "fitted_parameters": list(V.FITTED_PARAMETERS)}}
    eta = V.CALIBRATED.charger_efficiency
    try:
        import fastsim
        version = fastsim.__version__
    except ImportError:
        version = None
    if version is None:
        report["fastsim"] = None
        msg = ("fastsim is not installed in this environment: install the 'bench' extra in a "
               "separate venv (see the module docstring) to compare; Skateboard only below.")
    else:
        t0 = time.perf_counter()
        chem = fastsim_rows(rows, V.CALIBRATED.aux_power)
        t_fs = time.perf_counter() - t0
        ok = np.array([c is not None for c in chem])
        chem_ok = np.array([c for c in chem if c is not None])
        own_eta = float(np.mean(chem_ok / meas[ok])) if ok.any() else math.nan
        report["fastsim"] = {
            "version": version, "n": int(ok.sum()), "seconds": t_fs,
            "with_skateboard_charger_efficiency": {**V.error_summary(chem_ok / eta, meas[ok]),
                                                   "charger_efficiency": eta},
            "with_own_zero_bias_charger_efficiency": {**V.error_summary(chem_ok / own_eta, meas[ok]),
                                                      "charger_efficiency": own_eta},
            "skateboard_on_same_rows": V.error_summary(sb[ok], meas[ok]),
        }
        for r, c in zip(rows, chem):
            r["fastsim_wh_per_km_ac"] = None if c is None else c / eta
        msg = None
    if args.json:
        report["rows"] = [{k: r.get(k) for k in ("line", "make", "model", "cycle",
                                                  "measured_wh_per_km_ac", "predicted_wh_per_km_ac",
                                                  "fastsim_wh_per_km_ac")} for r in rows]
        print(json.dumps(report, indent=2, default=float))
        return 0

    def line(name, s):
        return (f"{name:<52} n={s['n']:>3}  MAPE {s['mape_percent']:5.2f} %  bias "
                f"{s['bias_percent']:+6.2f} %  max {s['max_abs_error_percent']:5.1f} %")

    print(f"EPA calibration file: {args.csv}")
    print(f"{len(rows)} rows compared, {len(result.excluded)} excluded by the plausibility screen")
    if msg:
        print(msg)
    else:
        fs = report["fastsim"]
        print(f"{'line':>4} {'make':<14} {'model':<38} {'cycle':<5} {'measured':>8} "
              f"{'skateb.':>8} {'FASTSim':>8}   [Wh/km, AC]")
        for r in rows:
            f = r.get("fastsim_wh_per_km_ac")
            print(f"{r['line']:>4} {r['make'][:14]:<14} {r['model'][:38]:<38} {r['cycle']:<5} "
                  f"{r['measured_wh_per_km_ac']:8.1f} {r['predicted_wh_per_km_ac']:8.1f} "
                  f"{'-' if f is None else f'{f:8.1f}':>8}")
        print(line(f"FASTSim {fs['version']} (charger eff. {eta:.3f}, Skateboard's)",
                   fs["with_skateboard_charger_efficiency"]))
        print(line(f"FASTSim {fs['version']} (own zero-bias charger eff. "
                   f"{fs['with_own_zero_bias_charger_efficiency']['charger_efficiency']:.3f})",
                   fs["with_own_zero_bias_charger_efficiency"]))
        print(f"FASTSim time: {fs['seconds']:.1f} s (one run per row)")
    print(line("Skateboard (3 params fitted on the bundled file)", report["skateboard"]))
    print(f"Skateboard time: {t_sb:.1f} s (one engine call per cycle, depletion test)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
