"""Typed results of a batch simulation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from skateboard.engine import layout as L

if TYPE_CHECKING:
    import pandas as pd

#: Sinks of the energy audit (all J); the sources are battery electrochemical energy and fuel.
AUDIT_SINKS = ("e_aero", "e_rolling", "e_grade", "e_inertia", "e_drivetrain_loss", "e_battery_loss",
               "e_aux", "e_friction_brake", "e_engine_loss", "e_generator_loss")


@dataclass
class SimResult:
    """Per-variant results of one batch run over one cycle (possibly repeated).

    Attributes
    ----------
    names : list of str — variant names, in batch order.
    cycle : str — cycle name.
    summary : ndarray (N, N_SUMMARY) — see :data:`skateboard.engine.layout.SUMMARY_NAMES` (SI).
    phases : ndarray (N, repeats, phases, N_PHASE) — per repeat and phase: distance [m],
        battery electrochemical and terminal energy [J], fuel mass [kg], SOC at its end, time [s].
    phase_names : list of str.
    trace : ndarray (N, steps, N_TRACE) or None — time series (speed [m/s], target speed [m/s],
        SOC, battery terminal power [W], range-extender power [W], drive-unit electrical power [W],
        friction-brake power [W]) at ``dt`` [s].
    params : ndarray (N, N_PARAMS) — the inputs, for reference.
    """

    names: list
    cycle: str
    summary: np.ndarray
    phases: np.ndarray
    phase_names: list
    trace: np.ndarray | None
    params: np.ndarray
    dt: float = 1.0

    def __len__(self) -> int:
        return len(self.names)

    def take(self, rows) -> SimResult:
        """The results of rows ``rows`` (indices), in that order."""
        rows = np.asarray(rows, dtype=np.intp)
        return SimResult(names=np.asarray(self.names, dtype=object)[rows].tolist(), cycle=self.cycle,
                         summary=self.summary[rows], phases=self.phases[rows],
                         phase_names=self.phase_names,
                         trace=self.trace[rows] if self.trace is not None else None,
                         params=self.params[rows], dt=self.dt)

    def __getitem__(self, key: str) -> np.ndarray:
        """A summary column by name (SI), e.g. ``result["distance"]``."""
        return self.summary[:, L.S[key]]

    @property
    def battery_energy(self) -> np.ndarray:
        """Energy at the battery terminals [J] (net, discharge positive)."""
        return self["e_battery_terminal"]

    @property
    def fuel_volume(self) -> np.ndarray:
        """Fuel used [m^3] (zero for BEVs)."""
        dens = self.params[:, L.P_REX_FUEL_DENSITY]
        return np.where(dens > 0, self["fuel_mass"] / np.where(dens > 0, dens, 1.0), 0.0)

    def energy_audit_residual(self) -> np.ndarray:
        """Relative residual of the energy audit per variant:
        (battery electrochemical + fuel - sum of sinks) / (sum of absolute flows)."""
        source = self["e_battery_chem"] + self["e_fuel"]
        sinks = sum(self[s] if s != "e_battery_loss" else self["e_battery_loss"] for s in AUDIT_SINKS)
        scale = np.abs(self["e_battery_chem"]) + self["e_fuel"] + sum(np.abs(self[s]) for s in AUDIT_SINKS)
        return (source - sinks) / np.maximum(scale, 1e-300)

    def to_pandas(self, charger_efficiency=None, check: bool = True) -> pd.DataFrame:
        """One row per variant with unit-suffixed columns (names of the glossary in docs/physics.md). With ``check`` (the
        default) every row passes :func:`skateboard.checks.check_rows` first, else ResultError."""
        import pandas as pd

        d = self["distance"]
        km = d / 1000.0
        e_battery_terminal = self["e_battery_terminal"]
        cols = {
            "variant": self.names,
            "cycle": self.cycle,
            "distance_km": km,
            "time_s": self["time"],
            "battery_energy_wh": e_battery_terminal / 3600.0,
            "consumption_wh_per_km": np.where(km > 0, e_battery_terminal / 3600.0 / np.maximum(km, 1e-12), np.nan),
        }
        if charger_efficiency is not None:
            ac = e_battery_terminal / np.asarray(charger_efficiency)
            cols["mains_energy_wh"] = ac / 3600.0
            cols["consumption_ac_wh_per_km"] = np.where(km > 0, ac / 3600.0 / np.maximum(km, 1e-12), np.nan)
        cols.update({
            "soc_start": self.params[:, L.P_SOC_INITIAL],
            "soc_end": self["soc_end"],
            "depleted_at_s": self["depleted_at"],
            "trace_miss_s": self["trace_miss_time"],
            "max_speed_shortfall_kmh": self["max_shortfall"] * 3.6,
            "fuel_l": self.fuel_volume * 1000.0,
        })
        for name in ("e_aero", "e_rolling", "e_grade", "e_inertia", "e_drivetrain_loss",
                     "e_battery_loss", "e_aux", "e_regen", "e_friction_brake", "e_fuel",
                     "e_engine_loss", "e_generator_loss", "e_battery_chem"):
            cols["energy_" + name[2:] + "_j"] = self[name]
        cols["engine_starts"] = self["engine_starts"].astype(int)
        cols["engine_on_time_s"] = self["engine_on_time"]
        cols["electric_distance_km"] = self["electric_distance"] / 1000.0
        cols["energy_audit_residual"] = self.energy_audit_residual()
        df = pd.DataFrame(cols)
        if check:
            from skateboard.checks import check_rows
            check_rows(df, cycle=self.cycle)
        return df

    def trace_frame(self, index: int) -> pd.DataFrame:
        """Time series of one variant as a DataFrame (requires ``record=True``)."""
        import pandas as pd

        if self.trace is None:
            raise ValueError("no time series recorded: simulate(..., record=True)")
        tr = self.trace[index]
        n = int(round(self["time"][index] / self.dt)) + 1
        tr = tr[:n]
        return pd.DataFrame({
            "time_s": np.arange(n) * self.dt,
            "speed_kmh": tr[:, L.TR_SPEED] * 3.6,
            "target_speed_kmh": tr[:, L.TR_TARGET_SPEED] * 3.6,
            "soc": tr[:, L.TR_SOC],
            "battery_power_w": tr[:, L.TR_BATTERY_POWER],
            "engine_power_w": tr[:, L.TR_ENGINE_POWER],
            "motor_power_w": tr[:, L.TR_MOTOR_POWER],
            "friction_brake_power_w": tr[:, L.TR_FRICTION_POWER],
        })
