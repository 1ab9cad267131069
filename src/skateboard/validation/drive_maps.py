"""Measured efficiency maps per machine type against the drive-unit loss model (issue #15 §3).

``data/drive_units/`` holds nine measured maps of 1990s traction drives (motor + inverter or
controller; four induction, five permanent-magnet; NREL's ADVISOR 2003 library, sources quoted in
its PROVENANCE.md). Each map's in-envelope motoring points are put in per-unit terms (speed /
maximum speed, torque / peak torque, power / peak power, from the file's own envelope) and the
loss model of :mod:`skateboard.physics.drive_unit` is fitted to them
(:func:`~skateboard.physics.drive_unit.fit_per_unit_loss`):

- per machine, to see how well four coefficients describe one measured drive;
- per machine type, all of that type's points together: the *technology maps*
  ``pmsm_measured`` and ``induction_measured`` of
  :data:`skateboard.physics.drive_unit.NAMED_LOSS_MAPS` (rounded there; a test refits them);
- the two types compared at the same per-unit operating points: their no-load loss (the speed
  terms, averaged over the speeds the EPA cycles use) and their load term.

Nothing here is fitted on vehicle data, and nothing in it changes the calibrated rule a car
gets: ``docs/accuracy.md`` ("Measured maps per machine type") gives what the comparison showed
and what was tried with it.
"""

from __future__ import annotations

import csv
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skateboard.physics.drive_unit import NAMED_LOSS_MAPS, efficiency, fit_per_unit_loss, unit_loss

MAPS_DIR = Path(__file__).resolve().parent.parent / "data" / "drive_units"
#: The technology maps' names in NAMED_LOSS_MAPS, by machine type.
TECHNOLOGY_MAPS = {"pmsm": "pmsm_measured", "induction": "induction_measured"}
#: Relative speeds [-] over which the no-load losses of two types are compared: 0.05-0.5 of the
#: maximum speed, the motor speeds of UDDS and HWFET for a car whose maximum speed is 180 km/h.
COMPARISON_SPEEDS = np.linspace(0.05, 0.5, 10)


@dataclass(frozen=True)
class MeasuredMap:
    """One measured map: its per-unit in-envelope motoring points and its ratings."""

    name: str
    motor_type: str
    description: str
    peak_power: float   # [W]
    peak_torque: float  # [N m]
    max_speed: float    # [rad/s]
    s: np.ndarray       # speed / max_speed [-]
    tau: np.ndarray     # torque / peak torque [-]
    power: np.ndarray   # shaft power / peak power [-]
    efficiency: np.ndarray


def read_maps(directory: str | Path = MAPS_DIR) -> list[MeasuredMap]:
    """The maps listed in ``maps.toml`` of ``directory``, each with its in-envelope points."""
    directory = Path(directory)
    with open(directory / "maps.toml", "rb") as fh:
        index = tomllib.load(fh)["maps"]
    out = []
    for name, m in index.items():
        rpm, nm, eta = [], [], []
        with open(directory / f"{name}.csv", newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["in_envelope"].strip().lower() == "true":
                    rpm.append(float(r["speed_rpm"]))
                    nm.append(float(r["torque_nm"]))
                    eta.append(float(r["efficiency"]))
        w = np.asarray(rpm) * 2.0 * math.pi / 60.0
        t = np.asarray(nm)
        p_peak, t_peak = m["peak_power_kw"] * 1e3, m["peak_torque_nm"]
        w_max = m["max_speed_rpm"] * 2.0 * math.pi / 60.0
        out.append(MeasuredMap(name, m["motor_type"], m["description"], p_peak, t_peak, w_max,
                               w / w_max, t / t_peak, w * t / p_peak, np.asarray(eta)))
    return out


def fit(maps: list[MeasuredMap]) -> tuple[float, float, float, float]:
    """The per-unit loss coefficients fitted to the points of ``maps`` together."""
    return fit_per_unit_loss(*(np.concatenate([getattr(m, k) for m in maps])
                               for k in ("s", "tau", "power", "efficiency")))


def predicted_efficiency(m: MeasuredMap, coefficients) -> np.ndarray:
    """Efficiency the loss model with per-unit ``coefficients`` gives at ``m``'s points."""
    return efficiency(m.s * m.max_speed, m.tau * m.peak_torque, m.peak_torque, m.peak_power,
                      m.max_speed, coefficients)


def no_load_loss(coefficients, s=COMPARISON_SPEEDS) -> float:
    """Mean per-unit no-load loss c0 + c1 s + c3 s^3 over the relative speeds ``s`` [-]."""
    # unit_loss at zero torque with a zero-torque factor of 1 returns the no-load loss
    return float(np.mean([unit_loss(x, 0.0, 1.0, *coefficients, 1.0)[0] for x in s]))


def compare(directory: str | Path = MAPS_DIR) -> dict:
    """Each map against its own fit and its type's map; the types' maps compared.

    Returns ``{"rows": [...], "technology": {type: {...}}, "induction_over_pmsm": {...}}``:
    per map the number of points and the efficiency error (model - measured, percentage points:
    RMS, mean, largest) of its own fit and of its type's fitted map; per type its coefficients,
    the named map's (rounded) coefficients and the RMS of that named map over all its points;
    and the ratio of the two types' no-load losses and load terms."""
    maps = read_maps(directory)
    types = sorted({m.motor_type for m in maps})
    fitted = {t: fit([m for m in maps if m.motor_type == t]) for t in types}
    rows = []
    for m in maps:
        own = predicted_efficiency(m, fit([m])) - m.efficiency
        typ = predicted_efficiency(m, fitted[m.motor_type]) - m.efficiency
        rows.append({"map": m.name, "motor_type": m.motor_type, "description": m.description,
                     "points": int(m.s.size), "own_rms_points": _rms(own),
                     "type_rms_points": _rms(typ), "type_mean_points": float(100 * typ.mean()),
                     "type_max_abs_points": float(100 * np.abs(typ).max())})
    technology = {}
    for t in types:
        named = NAMED_LOSS_MAPS.get(TECHNOLOGY_MAPS.get(t, ""))
        err = np.concatenate([predicted_efficiency(m, named or fitted[t]) - m.efficiency
                              for m in maps if m.motor_type == t])
        technology[t] = {"coefficients": list(fitted[t]), "named_map": TECHNOLOGY_MAPS.get(t),
                         "named_coefficients": list(named) if named else None,
                         "maps": sum(m.motor_type == t for m in maps), "points": int(err.size),
                         "named_rms_points": _rms(err), "no_load_loss": no_load_loss(fitted[t])}
    ratio = None
    if {"pmsm", "induction"} <= set(types):
        ratio = {"no_load": no_load_loss(fitted["induction"]) / no_load_loss(fitted["pmsm"]),
                 "load": fitted["induction"][2] / fitted["pmsm"][2]}
    return {"source": str(directory), "rows": rows, "technology": technology,
            "induction_over_pmsm": ratio}


def _rms(err: np.ndarray) -> float:
    return float(100 * np.sqrt(np.mean(err**2)))
