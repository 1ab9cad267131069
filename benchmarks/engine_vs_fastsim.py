#!/usr/bin/env python3
"""Skateboard's batch engine against FASTSim-3's ``SimDrive.walk()``, in one run on one machine.

Usage::

    python benchmarks/engine_vs_fastsim.py            # full: N up to 100 000 (a few minutes)
    python benchmarks/engine_vs_fastsim.py --quick    # N up to 10 000 (under a minute)

FASTSim-3 is the optional extra ``bench`` (``pip install -e '.[bench]'``, fastsim==3.1.0).
Without it the script still times Skateboard (on a snapshot of the FASTSim-3.1.0 vehicle
data, below), says FASTSim is missing and exits 0; the last line is then
``ratio_vs_fastsim3: nan``.

What is timed
-------------
* Vehicles: FASTSim-3's bundled BEV resources ``2020 Chevrolet Bolt EV thrml.yaml``,
  ``2022_Renault_Zoe_ZE50_R135.yaml`` and ``2022 Tesla Model 3 RWD thrml.yaml``, converted to
  Skateboard :class:`~skateboard.spec.variant.Variant` objects (see "Conversion").
* Cycles: UDDS, HWFET and WLTC class 3b. Skateboard uses its bundled cycles
  (:func:`skateboard.cycles.load_cycle`); FASTSim uses its own ``udds.csv`` and ``hwfet.csv``
  resources (the same 1 Hz traces, within 0.0005 m/s of mph rounding). FASTSim-3.1.0 bundles
  no WLTC, so its WLTC class 3b cycle is built from Skateboard's trace with
  ``fastsim.Cycle.from_dict`` (time and speed only; FASTSim fills in the defaults: level road,
  22 degC ambient).
* FASTSim-3: ``SimDrive(veh, cyc).walk()`` on one vehicle, median of several repetitions per
  vehicle and cycle, mean over the three vehicles; the SimDrive is built outside the timed
  region. Four figures:

  - *lean* (used for the ratio): the thermal models (cabin, HVAC, battery thermal of the Bolt
    and Model 3) removed and the history off (``veh.set_save_interval(None)``). Skateboard
    models neither, so this is the like-for-like figure. The Bolt's battery efficiency over
    C-rate x temperature becomes its C-rate curve at the initial 22 degC; terminal energies
    equal the bundled vehicles' (the script prints the largest difference). The thermal
    models cost about a third of walk()'s time on these cycles.
  - the bundled vehicle, history off;
  - the bundled vehicle as it is (history on, ``save_interval: 1``, FASTSim's default);
  - setup included: ``Vehicle.from_resource`` + ``SimDrive(veh, cyc)`` + ``walk()``, bundled.

  At the default 22 degC ambient the bundled HVAC draws no power, so all four compute the
  same energy.
* ``RUST_BACKTRACE=1`` in the environment (set in some shells and CI images) makes FASTSim-3
  20-30x slower: anyhow captures a backtrace for every error value FASTSim creates and
  discards inside its solver. The script removes ``RUST_BACKTRACE`` and sets
  ``RUST_LIB_BACKTRACE=0`` unless it is already set, and prints both variables.
* Skateboard: :func:`skateboard.engine.batch.build_params` on the three variants once, then the
  parameter matrix is tiled to N rows and perturbed (mass, inertial mass and F0 by one random
  factor in 0.9-1.1, F2 by another; fixed seed), and
  :func:`skateboard.engine.simulate.simulate_params` is timed at N = 1, 100, 10 000 (and
  100 000 in full mode), median of several repetitions, per cycle. The OCV and range-extender
  tables are not tiled: every tiled row keeps the ``ocv_row``/``rex_eff_row`` of the base row
  it was copied from, which indexes the untiled 3-row tables. ``build_params`` is not in the
  timed region (it is per-variant Python; the tiling stands in for it).
* Per vehicle-cycle time: wall time of one call / N, averaged over the three cycles (FASTSim:
  averaged over the same cycles and the three vehicles). The ratio is FASTSim's per
  vehicle-cycle time (history off, setup excluded) / Skateboard's at the largest N.
* Per core and per machine (the headline): on UDDS at N = 10 000, four contenders are timed
  interleaved, one after the other in every repetition (A B C D A B C D ...), so that a change
  of machine load hits them alike; min and median are printed. FASTSim-3's lean ``walk()``
  (one vehicle at a time, one thread: it is single-threaded); Skateboard's kernel with numba
  limited to 1 thread (``numba.set_num_threads(1)``: the per-core ratio); the same kernel on
  all threads (the machine ratio, labelled as such); and Skateboard end to end on 1 thread:
  Variant objects -> ``build_params`` -> kernel -> result, which is what a sweep pays per
  variant. ``RUST_BACKTRACE`` is removed from the environment before FASTSim is imported.
  The last four lines are machine-readable: ``ratio_vs_fastsim3_per_core``,
  ``ratio_vs_fastsim3_machine``, ``ratio_end_to_end_per_core`` (medians) and
  ``ns_per_vehicle_step_per_core``. The host CPU, its vector features and the CPU LLVM
  compiles for are printed at the top: figures belong to the machine that printed them.
* Numba compile time: the first ``simulate_params`` call, which compiles the engine's one
  kernel (``lanes.run_tiles``; batches of more than one tile of variants run it
  on several Python threads at once, in blocks of tiles), untimed afterwards. The full mode
  compiles into a fresh temporary ``NUMBA_CACHE_DIR`` (removed at exit), so the figure is a
  real compile and the shared on-disk cache under ``src/`` is neither read nor written;
  ``--quick`` uses numba's normal cache (a load after ``python3 dev.py``'s setup, so that it
  runs in under a minute). ``--numba-cache fresh|default`` chooses explicitly.
* Threads: ``numba.set_num_threads`` sets how many threads a kernel call uses
  (:func:`skateboard.engine.simulate.engine_threads`); Numba's own parallel thread pool is
  not used since 2026-12-04, so its threading layer does not matter. The load average is
  printed before and after.
* Memory: tracemalloc's peak of one untimed ``simulate_params`` call at the largest N
  (numpy arrays: the tiled parameter matrix, summary, per-phase records; numba's own small
  per-thread arrays are not traced), and the process's ``ru_maxrss`` at the end (everything:
  Python, numba/LLVM, FASTSim and the arrays).
* Consumption: battery terminal energy / distance [Wh/km] of each tool on each vehicle and
  cycle, FASTSim's from ``res.state.energy_out_electrical_joules`` (net of regeneration,
  auxiliaries included) and Skateboard's from ``result["e_battery_terminal"]``.

Conversion (FASTSim-3 vehicle -> Skateboard Variant), field by field
--------------------------------------------------------------------
FASTSim paths are given from the vehicle's root, e.g. ``chassis.drag_coef``; ``pt.`` is
``pt_type.BEV.``.

* test mass = ``veh.state.mass_kilograms`` after a walk, i.e. the mass FASTSim simulates
  (``mass_kilograms`` when the file sets it, which all three do; the Zoe's
  ``chassis.cargo_mass_kilograms`` and glider mass are then not added). Passed to
  ``build_params(mass=...)``; ``curb_mass`` = test mass - 75 kg, so Skateboard's default test
  mass (curb + 75 kg driver) is the same number.
* ``rotating_inertia_fraction`` = ``num_wheels * wheel_inertia_kilogram_square_meters /
  wheel_radius_meters**2 / mass``: FASTSim's wheel-inertia power
  (``I n (w1^2 - w0^2) / 2 / dt``) as an equivalent mass. FASTSim models no rotor inertia.
* ``drag_coefficient``, ``frontal_area``, ``rolling_resistance_coefficient``,
  ``wheel_radius``, ``wheelbase``: ``chassis.drag_coef``, ``frontal_area_square_meters``,
  ``wheel_rr_coef``, ``wheel_radius_meters``, ``wheel_base_meters`` as they are.
* air density: ``veh.state.air_density_kilograms_per_cubic_meter`` (1.2 kg/m^3: FASTSim's
  ``SimParams.f2_const_air_density``) passed to ``build_params(air_density=...)``, instead of
  Skateboard's WLTP 1.189 kg/m^3.
* ``cg_height`` = ``|chassis.cg_height_meters|`` (FASTSim writes it negative for rear-wheel
  drive); ``front_mass_share`` = ``drive_axle_weight_frac`` for FWD, 1 - it for RWD; tyre-road
  friction = ``chassis.wheel_fric_coef``, passed to ``build_params(tyre_road_friction=...)``.
* Drive unit: one unit on the front axle (FWD) or the rear axle (RWD).
  ``peak_power`` = ``continuous_power`` = ``pt.em.pwr_out_max_watts`` (FASTSim has no
  continuous rating). ``gearbox_efficiency`` = ``pt.transmission.eff_interp`` (constant).
  FASTSim's machine has a power limit only, no torque or speed; Skateboard needs both, so
  (assumption, generic): maximum motor speed 12 000 rpm at 160 km/h (above every cycle's top
  speed), which fixes the gear ratio; constant-power range 3:1, i.e. peak torque = peak power /
  (max speed / 3) (the Bolt gets 356 N m; GM quotes 360 N m).
* Drive-unit losses: FASTSim gives the machine's efficiency over output power as a fraction
  of peak (``pt.em.eff_interp_achieved``, 11 points). We build a 40 x 40 speed x torque
  motoring-efficiency map over the torque envelope with eta(w, T) = eta_FASTSim(w T / P_peak)
  and fit Skateboard's four loss coefficients to it with
  :func:`skateboard.physics.drive_unit.fit_loss_coefficients`; these fitted maps are what is
  timed and compared. The consumption table also shows the generic ``"pmsm_generic"`` map
  for reference. The fit depends only on the shape of the curve and the ratio
  max speed x peak torque / peak power (= 3 here), not on the absolute choices above. The
  script prints the fit's RMS efficiency error. FASTSim interpolates the Model 3's curve
  stepwise (``Step: Lower``); the fit uses linear interpolation for all three. FASTSim uses
  the same curve for regeneration; Skateboard uses its loss model both ways.
* Pack: ``gross_energy`` = ``pt.res.energy_capacity_joules``; ``usable_energy`` = (``max_soc``
  - ``min_soc``) x capacity; ``max_discharge_power`` = ``max_charge_power`` =
  ``pt.res.pwr_out_max_watts`` (FASTSim-3 uses it both ways; the Zoe's 1 MW means
  "unlimited"). Both runs start at the top of the usable window. FASTSim has no chemistry or
  voltage; assumption (makers' published data): Bolt NMC 350 V, Zoe NMC 350 V, Model 3 RWD
  (2022) LFP 340 V. ``resistance`` is set so that Skateboard's resistive loss fraction at 1C
  discharge, I R / V_nom, equals 1 - FASTSim's battery efficiency at 1C (at 23 degC in the
  Bolt's C-rate x temperature table; the constant 0.9849 for the other two):
  R = (1 - eta) V_nom^2 x 3600 s / E_gross. These choices move only the battery's internal
  loss and limits, not the terminal energy that is compared.
* ``aux_power`` = ``pwr_aux_base_watts`` (250 W). FASTSim's HVAC draws nothing at 22 degC
  (checked: its aux energy is 250 W x cycle time), so Skateboard's ``hvac_power`` stays 0.
* Not used by Skateboard's cycle runs, set for completeness: ``max_gross_mass`` = test mass +
  400 kg, axle-load limits = test mass, track 1.6 m, ``charger_efficiency`` 0.9.

Model differences that show in the consumption comparison: FASTSim's machine loss depends
on output power only, Skateboard's on speed and torque separately, so the fit has to share
FASTSim's losses between a speed term and a torque term. Where a large motor runs fast at a
small load (the 239 kW Model 3 on HWFET) the speed term charges more than FASTSim's curve
does. Skateboard's loss model also charges a spinning loss whenever the motor turns with no
torque (coasting); FASTSim charges none at zero power. Skateboard fades regenerative braking
out between 10 and 5 km/h.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import math
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import types
import warnings
from pathlib import Path

import numpy as np

# --- inputs ---------------------------------------------------------------------------------

#: Skateboard short name -> FASTSim-3 vehicle resource.
FASTSIM_VEHICLES = {
    "bolt": "2020 Chevrolet Bolt EV thrml.yaml",
    "zoe": "2022_Renault_Zoe_ZE50_R135.yaml",
    "model3": "2022 Tesla Model 3 RWD thrml.yaml",
}
#: Skateboard cycle name -> FASTSim-3 cycle resource (None: built from Skateboard's trace).
CYCLES = {"udds": "udds.csv", "hwfet": "hwfet.csv", "wltc_class3b": None}
#: Pack chemistry and nominal voltage [V] (not in FASTSim's files; makers' published data).
PACK_ASSUMPTIONS = {"bolt": ("NMC", 350.0), "zoe": ("NMC", 350.0), "model3": ("LFP", 340.0)}
#: Generic drive-unit geometry (FASTSim's machine has a power limit only): maximum motor speed
#: [rpm], the vehicle speed at which it is reached [km/h], and the constant-power speed range.
MOTOR_MAX_RPM = 12_000.0
MOTOR_MAX_RPM_AT_KMH = 160.0
CONSTANT_POWER_RANGE = 3.0
#: Resolution of the speed x torque map built from FASTSim's efficiency curve.
MAP_POINTS = 40
#: Reference point of FASTSim's battery efficiency used to size Skateboard's resistance.
RES_EFF_C_RATE = 1.0
RES_EFF_TEMPERATURE_C = 23.0
#: Driver mass Skateboard adds to the curb mass by default [kg].
DRIVER_MASS = 75.0
#: Range of the random factors applied to the tiled rows (mass and F2).
PERTURBATION = (0.9, 1.1)
SEED = 20240611

#: The FASTSim-3.1.0 values the conversion reads, as read from the resources above with
#: fastsim 3.1.0 (used only when fastsim is not installed; with fastsim they are read live).
FASTSIM_310_SNAPSHOT = {
    "bolt": dict(
        name="2020 Chevrolet Bolt EV", mass=1626.129, air_density=1.2, drag_coef=0.309,
        frontal_area=2.396898, wheel_rr_coef=0.007767205248456686, wheel_inertia=0.815,
        num_wheels=4, wheel_radius=0.3234, cg_height=0.53, wheel_fric_coef=0.7,
        drive_type="FWD", drive_axle_weight_frac=0.59, wheel_base=2.60096,
        em_pwr_out_max=149139.974,
        em_eff_frac=(0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0),
        em_eff=(0.87361139, 0.89433671, 0.91506203, 0.93578735, 0.94615001, 0.95651267,
                0.97723799, 0.98760065, 0.98760065, 0.97723799, 0.96687533),
        trans_eff=0.98, res_energy_capacity=237.6e6, res_min_soc=0.0, res_max_soc=1.0,
        res_pwr_out_max=165000.0, res_eff_1c=0.97798790, aux_power=250.0),
    "zoe": dict(
        name="2022 Renault Zoe ZE50 R135", mass=1600.0, air_density=1.2, drag_coef=0.33,
        frontal_area=2.5121646, wheel_rr_coef=0.009, wheel_inertia=0.815, num_wheels=4,
        wheel_radius=0.31045, cg_height=0.53, wheel_fric_coef=0.8, drive_type="FWD",
        drive_axle_weight_frac=0.61, wheel_base=2.588, em_pwr_out_max=100000.0,
        em_eff_frac=(0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0),
        em_eff=(0.84, 0.86, 0.88, 0.9, 0.91, 0.92, 0.94, 0.95, 0.95, 0.94, 0.93),
        trans_eff=0.92, res_energy_capacity=196.776e6, res_min_soc=0.029, res_max_soc=0.98,
        res_pwr_out_max=1.0e6, res_eff_1c=0.9848857801796105, aux_power=250.0),
    "model3": dict(
        name="2022 Tesla Model 3 RWD", mass=1752.0, air_density=1.2, drag_coef=0.23,
        frontal_area=2.22, wheel_rr_coef=0.007, wheel_inertia=0.815, num_wheels=4,
        wheel_radius=0.33435, cg_height=-0.53, wheel_fric_coef=0.7, drive_type="RWD",
        drive_axle_weight_frac=0.59, wheel_base=2.87528, em_pwr_out_max=239000.0,
        em_eff_frac=(0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0),
        em_eff=(0.84, 0.86, 0.88, 0.9, 0.91, 0.92, 0.94, 0.95, 0.95, 0.94, 0.93),
        trans_eff=0.98, res_energy_capacity=194.4e6, res_min_soc=0.05, res_max_soc=0.98,
        res_pwr_out_max=201227.4239, res_eff_1c=0.9848857801796105, aux_power=250.0),
}


# --- FASTSim-3 ------------------------------------------------------------------------------

def import_fastsim():
    """The fastsim module, or None (with the reason) when it is not installed or broken."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import fastsim
        fastsim.Vehicle.from_resource(FASTSIM_VEHICLES["bolt"])
        return fastsim, None
    except Exception as exc:  # ImportError, or a build without the resources
        return None, f"{type(exc).__name__}: {exc}"


def _array(x):
    """FASTSim serialises ndarrays as lists (YAML) or {'v', 'dim', 'data'} (msgpack)."""
    if isinstance(x, dict) and "data" in x:
        return np.asarray(x["data"], float).reshape(x.get("dim") or (-1,))
    return np.asarray(x, float)


def _res_efficiency_at_1c(eff_interp: dict) -> float:
    """FASTSim's battery efficiency at 1C discharge (and 23 degC if it depends on temperature)."""
    if "Constant" in eff_interp:
        return float(eff_interp["Constant"])
    if "CRateTemperature" in eff_interp:
        data = eff_interp["CRateTemperature"]["data"]
        c_rates, temps = (_array(g) for g in data["grid"])
        values = _array(data["values"]).reshape(len(c_rates), len(temps))
        at_temp = [np.interp(RES_EFF_TEMPERATURE_C, temps, row) for row in values]
        return float(np.interp(RES_EFF_C_RATE, c_rates, at_temp))
    if "CRate" in eff_interp:
        data = eff_interp["CRate"]["data"]
        return float(np.interp(RES_EFF_C_RATE, _array(data["grid"][0]), _array(data["values"])))
    raise ValueError(f"unsupported FASTSim battery efficiency {list(eff_interp)}")


def fastsim_fields(fastsim, resource_name: str) -> dict:
    """The FASTSim-3 values the conversion needs (same keys as FASTSIM_310_SNAPSHOT).

    Mass and air density are taken from the vehicle's state after a short walk (UDDS), i.e.
    the values FASTSim actually simulates with."""
    veh = fastsim.Vehicle.from_resource(resource_name)
    d = veh.to_dict(data_fmt="yaml")
    ch = d["chassis"]
    pt = d["pt_type"]["BEV"]
    em, res, trans = pt["em"], pt["res"], pt["transmission"]
    if not isinstance(trans["eff_interp"], (int, float)):
        raise ValueError(f"{resource_name}: non-constant transmission efficiency")
    sd = fastsim.SimDrive(veh, fastsim.Cycle.from_resource("udds.csv"))
    sd.walk()
    state = sd.to_dict(data_fmt="yaml")["veh"]["state"]
    grid = em["eff_interp_achieved"]["data"]["grid"][0]
    return dict(
        name=d["name"], mass=float(state["mass_kilograms"]),
        air_density=float(state["air_density_kilograms_per_cubic_meter"]),
        drag_coef=ch["drag_coef"], frontal_area=ch["frontal_area_square_meters"],
        wheel_rr_coef=ch["wheel_rr_coef"], wheel_inertia=ch["wheel_inertia_kilogram_square_meters"],
        num_wheels=ch["num_wheels"], wheel_radius=ch["wheel_radius_meters"],
        cg_height=ch["cg_height_meters"], wheel_fric_coef=ch["wheel_fric_coef"],
        drive_type=ch["drive_type"], drive_axle_weight_frac=ch["drive_axle_weight_frac"],
        wheel_base=ch["wheel_base_meters"], em_pwr_out_max=em["pwr_out_max_watts"],
        em_eff_frac=tuple(_array(grid)), em_eff=tuple(_array(em["eff_interp_achieved"]["data"]["values"])),
        trans_eff=float(trans["eff_interp"]), res_energy_capacity=res["energy_capacity_joules"],
        res_min_soc=res["min_soc"], res_max_soc=res["max_soc"],
        res_pwr_out_max=res["pwr_out_max_watts"], res_eff_1c=_res_efficiency_at_1c(res["eff_interp"]),
        aux_power=d["pwr_aux_base_watts"])


def fastsim_cycles(fastsim, skateboard_cycles: dict) -> dict:
    cycles = {}
    for name, resource_name in CYCLES.items():
        if resource_name is not None:
            cycles[name] = fastsim.Cycle.from_resource(resource_name)
        else:
            c = skateboard_cycles[name]
            cycles[name] = fastsim.Cycle.from_dict({"time_seconds": [float(t) for t in c.time],
                                                    "speed_meters_per_second": [float(v) for v in c.speed]})
    return cycles


def _fastsim_energy(sd) -> tuple[float, float, float]:
    """(battery terminal energy [J], distance [m], drive-unit + transmission loss [J])."""
    veh = sd.to_dict(data_fmt="yaml")["veh"]
    pt = veh["pt_type"]["BEV"]
    return (pt["res"]["state"]["energy_out_electrical_joules"], veh["state"]["dist_meters"],
            pt["em"]["state"]["energy_loss_joules"] + pt["transmission"]["state"]["energy_loss_joules"])


def lean_vehicle(fastsim, veh):
    """The vehicle without its thermal models (cabin, HVAC, battery thermal), or None.

    A battery efficiency over C-rate x temperature becomes the C-rate curve at the battery's
    initial temperature (22 degC in the bundled files), which is what the thermal model holds
    it at on these cycles (checked: the same terminal energy to 1e-9, chemical within 0.01 %)."""
    d = veh.to_dict(data_fmt="yaml")
    d["cabin"] = d["hvac"] = "None"
    res = d["pt_type"]["BEV"]["res"]
    thrml = res.get("thrml")
    temp_c = (thrml["RESLumpedThermal"]["state"]["temperature_kelvin"] - 273.15
              if isinstance(thrml, dict) and "RESLumpedThermal" in thrml else RES_EFF_TEMPERATURE_C)
    res["thrml"] = "None"
    eff = res["eff_interp"]
    if "CRateTemperature" in eff:
        inner = eff["CRateTemperature"]
        c_rates, temps = (_array(g) for g in inner["data"]["grid"])
        values = _array(inner["data"]["values"]).reshape(len(c_rates), len(temps))
        res["eff_interp"] = {"CRate": {"data": {"grid": [c_rates.tolist()],
                                                "values": [float(np.interp(temp_c, temps, row)) for row in values]},
                                       "strategy": "Linear", "extrapolate": "Clamp"}}
    elif "Constant" not in eff:
        return None
    try:
        return fastsim.Vehicle.from_dict(d, data_fmt="yaml")
    except Exception:
        return None


def time_fastsim(fastsim, cycles: dict, reps: int, reps_other: int) -> dict:
    """Per (vehicle, cycle): median times [s] of walk() on the lean vehicle (no thermal models,
    no history), on the bundled one without and with history, and of setup + walk() (bundled,
    history on); and the energies of the bundled, history-off run."""
    out = {}
    for key, resource_name in FASTSIM_VEHICLES.items():
        bundled = fastsim.Vehicle.from_resource(resource_name)
        lean = lean_vehicle(fastsim, bundled)
        if lean is None:
            print(f"note: {key}: thermal models not removable, 'lean' is the bundled vehicle")
            lean = bundled
        for cname, cyc in cycles.items():
            times = {"walk_lean": [], "walk_off": [], "walk_on": [], "with_setup": []}

            def walk(veh, history, label):
                veh = veh.copy()
                veh.set_save_interval(1 if history else None)
                sd = fastsim.SimDrive(veh, cyc.copy())
                t0 = time.perf_counter()
                sd.walk()
                times[label].append(time.perf_counter() - t0)
                return sd

            for _ in range(reps):
                sd_lean = walk(lean, False, "walk_lean")
            for _ in range(reps_other):
                sd = walk(bundled, False, "walk_off")
                walk(bundled, True, "walk_on")
                t0 = time.perf_counter()
                sd_setup = fastsim.SimDrive(fastsim.Vehicle.from_resource(resource_name), cyc)
                sd_setup.walk()
                times["with_setup"].append(time.perf_counter() - t0)
            e_terminal, distance, e_loss = _fastsim_energy(sd)
            out[key, cname] = dict({k: statistics.median(v) for k, v in times.items()},
                                   e_terminal=e_terminal, distance=distance, e_drivetrain_loss=e_loss,
                                   e_terminal_lean=_fastsim_energy(sd_lean)[0])
    return out


# --- conversion to Skateboard ---------------------------------------------------------------

def to_variant(key: str, f: dict, loss_map: str = "fit"):
    """A Skateboard Variant and its build_params conditions from FASTSim fields (see docstring).

    ``loss_map``: "fit" (losses fitted to FASTSim's efficiency curve) or a name for
    :func:`skateboard.physics.drive_unit.named_loss_map` (e.g. "pmsm_generic").
    Returns (variant, conditions dict, RMS efficiency error of the drive-unit losses against
    FASTSim's curve over the torque envelope [fraction])."""
    from skateboard.physics.drive_unit import efficiency, fit_loss_coefficients, max_torque, named_loss_map
    from skateboard.spec.variant import DriveUnit, Pack, Variant

    mass = float(f["mass"])
    front_drive = f["drive_type"].upper().startswith("F")
    if f["drive_type"].upper() not in ("FWD", "RWD"):
        raise ValueError(f"{key}: drive type {f['drive_type']} not converted (FWD/RWD only)")
    # drive unit: generic geometry, losses fitted to FASTSim's efficiency-over-power curve
    p_peak = float(f["em_pwr_out_max"])
    w_max = MOTOR_MAX_RPM * 2.0 * math.pi / 60.0
    gear = w_max * f["wheel_radius"] / (MOTOR_MAX_RPM_AT_KMH / 3.6)
    t_peak = p_peak / (w_max / CONSTANT_POWER_RANGE)
    speeds = np.linspace(0.0, w_max, MAP_POINTS + 1)[1:]
    torques = np.linspace(0.0, t_peak, MAP_POINTS + 1)[1:]
    w, t = np.meshgrid(speeds, torques, indexing="ij")
    eta_fastsim = np.interp(w * t / p_peak, f["em_eff_frac"], f["em_eff"])
    coef = (fit_loss_coefficients(speeds, torques, eta_fastsim, peak_torque=t_peak,
                                  peak_power=p_peak, max_speed=w_max)
            if loss_map == "fit" else named_loss_map(loss_map))
    inside = t <= max_torque(w, peak_torque=t_peak, peak_power=p_peak, max_speed=w_max) + 1e-9
    eta_fit = efficiency(w, t, peak_torque=t_peak, peak_power=p_peak, max_speed=w_max,
                         coefficients=coef)
    fit_rms = float(np.sqrt(np.mean((eta_fit - eta_fastsim)[inside] ** 2)))
    du = DriveUnit(name="fastsim_em", axle="front" if front_drive else "rear",
                       peak_power=p_peak, continuous_power=p_peak, peak_torque=t_peak,
                       max_speed=w_max, gear_ratio=gear, gearbox_efficiency=float(f["trans_eff"]),
                       loss_coefficients=coef)
    # pack
    chem, v_nom = PACK_ASSUMPTIONS[key]
    gross = float(f["res_energy_capacity"])
    usable = (f["res_max_soc"] - f["res_min_soc"]) * gross
    resistance = (1.0 - f["res_eff_1c"]) * v_nom**2 * 3600.0 / gross
    pack = Pack(name="fastsim_res", chemistry=chem, usable_energy=usable, gross_energy=gross,
                    nominal_voltage=v_nom, resistance=resistance,
                    max_discharge_power=float(f["res_pwr_out_max"]),
                    max_charge_power=float(f["res_pwr_out_max"]), mass=0.0)
    drive_share = f["drive_axle_weight_frac"]
    variant = Variant(
        name=key, label=f["name"], platform="fastsim3", maker="FASTSim-3 resource",
        powertrain="BEV", curb_mass=mass - DRIVER_MASS, max_gross_mass=mass + 400.0,
        optional_equipment_mass=0.0,
        front_mass_share=drive_share if front_drive else 1.0 - drive_share,
        max_front_axle_load=mass, max_rear_axle_load=mass,
        rotating_inertia_fraction=f["num_wheels"] * f["wheel_inertia"] / f["wheel_radius"] ** 2 / mass,
        wheelbase=f["wheel_base"], track=1.6, cg_height=abs(f["cg_height"]),
        wheel_radius=f["wheel_radius"], drag_coefficient=f["drag_coef"],
        frontal_area=f["frontal_area"], rolling_resistance_coefficient=f["wheel_rr_coef"],
        f0=None, f1=None, f2=None, pack=pack, drive_units=(du,), range_extender=None,
        energy_management=None, aux_power=float(f["aux_power"]), charger_efficiency=0.9,
        source_file=FASTSIM_VEHICLES[key])
    conditions = dict(mass=mass, tyre_road_friction=f["wheel_fric_coef"], air_density=f["air_density"])
    return variant, conditions, fit_rms


def skateboard_cycles() -> dict:
    """Skateboard's bundled cycles; a CSV fallback while skateboard.cycles is unavailable."""
    try:
        from skateboard.cycles import load_cycle
        return {name: load_cycle(name) for name in CYCLES}
    except ImportError:
        import skateboard
        folder = Path(skateboard.__file__).parent / "data" / "cycles"
        out = {}
        for name in CYCLES:
            data = np.genfromtxt(folder / f"{name}.csv", delimiter=",", names=True)
            out[name] = types.SimpleNamespace(name=name, time=data["time_s"], speed=data["speed_kmh"] / 3.6,
                                              grade=None, phases=(), dt=1.0)
        return out


def tile_params(params: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` rows cycling through the base rows, mass and F2 perturbed (ocv/rex rows kept).

    Derived columns (e.g. the load transfer, proportional to the mass) are recomputed with
    :func:`skateboard.engine.batch.derive` when the engine has it."""
    from skateboard.engine import batch
    from skateboard.engine.layout import P

    rows = params[np.arange(n) % params.shape[0]].copy()
    k_mass = rng.uniform(*PERTURBATION, n)
    for col in ("mass", "inertial_mass", "f0"):   # F0 = C_rr m g scales with the mass
        rows[:, P[col]] *= k_mass
    rows[:, P["f2"]] *= rng.uniform(*PERTURBATION, n)
    derive = getattr(batch, "derive", None)
    return derive(rows) if derive is not None else rows


def time_skateboard(base: np.ndarray, ocv, rex, cycles: dict, plan: list[tuple[int, int]], rng) -> dict:
    """{N: {cycle: median wall time [s] of one simulate_params call}}."""
    from skateboard.engine.simulate import simulate_params

    out = {}
    for n, reps in plan:
        params = tile_params(base, n, rng)
        out[n] = {}
        for cname, cyc in cycles.items():
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                simulate_params(params, ocv, rex, cyc)
                times.append(time.perf_counter() - t0)
            out[n][cname] = statistics.median(times)
        del params
        gc.collect()
    return out


def traced_peak_memory(base, ocv, rex, cycle, n, rng) -> int:
    """Peak bytes traced by tracemalloc while tiling to ``n`` rows and running one cycle."""
    from skateboard.engine.simulate import simulate_params

    gc.collect()
    tracemalloc.start()
    try:
        params = tile_params(base, n, rng)
        simulate_params(params, ocv, rex, cycle)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def build_base(fields: dict, loss_map: str):
    """build_params on the three converted vehicles: (params, ocv, rex, converted dict)."""
    from skateboard.engine.batch import build_params

    converted = {k: to_variant(k, f, loss_map) for k, f in fields.items()}
    air = {c[1]["air_density"] for c in converted.values()}
    if len(air) != 1:
        raise SystemExit(f"vehicles disagree on the air density: {air}")
    params, ocv, rex = build_params(
        [converted[k][0] for k in FASTSIM_VEHICLES],
        mass=np.array([converted[k][1]["mass"] for k in FASTSIM_VEHICLES]),
        tyre_road_friction=np.array([converted[k][1]["tyre_road_friction"] for k in FASTSIM_VEHICLES]),
        air_density=air.pop())
    return params, ocv, rex, converted


# --- report ---------------------------------------------------------------------------------

def _us(seconds: float) -> str:
    return f"{seconds * 1e6:12.2f}"


def _mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:.1f} MiB"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_features() -> str:
    """The vector features of the host CPU that matter to LLVM's code for the kernel, and the
    CPU name LLVM targets (what numba compiles for)."""
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl", "avx512_vnni")
    have = [f for f in wanted if f in flags] or ["(unknown: no /proc/cpuinfo flags)"]
    try:
        import llvmlite.binding as llvm
        target = llvm.get_host_cpu_name()
    except Exception:  # llvmlite is numba's dependency; keep the report going without it
        target = "?"
    return f"vector features {' '.join(have)}; LLVM target CPU {target}"


def _stats(times: list[float]) -> tuple[float, float]:
    return min(times), statistics.median(times)


def per_core_section(fastsim, fields, converted, base, ocv, rex, sk_cycles, n: int, reps: int, rng):
    """Interleaved timing on UDDS: FASTSim-3 lean walk() (1 thread: it is single-threaded),
    Skateboard's kernel on 1 thread (the per-core figure), on all threads (the machine figure),
    and Skateboard end to end on 1 thread (Variant objects -> build_params -> kernel -> result
    rows), one after the other in each repetition (A B C D A B C D ...), so that a change of
    machine load hits all four alike. Returns a dict of (min, median) seconds per vehicle-cycle."""
    import numba
    from skateboard.engine.batch import build_params
    from skateboard.engine.simulate import simulate_params

    cyc = sk_cycles["udds"]
    params = tile_params(base, n, rng)
    keys = list(FASTSIM_VEHICLES)
    variants = [converted[keys[i % len(keys)]][0] for i in range(n)]
    masses = params[:, __import__("skateboard.engine.layout", fromlist=["P"]).P["mass"]].copy()
    friction = np.array([converted[keys[i % len(keys)]][1]["tyre_road_friction"] for i in range(n)])
    air = converted[keys[0]][1]["air_density"]
    fs_cycle = fs_lean = None
    if fastsim is not None:
        fs_cycle = fastsim_cycles(fastsim, sk_cycles)["udds"]
        fs_lean = []
        for k in keys:
            bundled = fastsim.Vehicle.from_resource(FASTSIM_VEHICLES[k])
            fs_lean.append(lean_vehicle(fastsim, bundled) or bundled)
    all_threads = numba.config.NUMBA_NUM_THREADS
    times = {"fastsim": [], "sk_1": [], "sk_all": [], "e2e_1": []}
    build_share = []
    for _ in range(reps):
        if fs_lean is not None:
            per = []
            for veh in fs_lean:
                v = veh.copy()
                v.set_save_interval(None)
                sd = fastsim.SimDrive(v, fs_cycle.copy())
                t0 = time.perf_counter()
                sd.walk()
                per.append(time.perf_counter() - t0)
            times["fastsim"].append(statistics.mean(per))
        numba.set_num_threads(1)
        t0 = time.perf_counter()
        simulate_params(params, ocv, rex, cyc)
        times["sk_1"].append((time.perf_counter() - t0) / n)
        numba.set_num_threads(all_threads)
        t0 = time.perf_counter()
        simulate_params(params, ocv, rex, cyc)
        times["sk_all"].append((time.perf_counter() - t0) / n)
        numba.set_num_threads(1)
        t0 = time.perf_counter()
        p2, o2, r2 = build_params(variants, mass=masses, tyre_road_friction=friction, air_density=air)
        t1 = time.perf_counter()
        res = simulate_params(p2, o2, r2, cyc)
        rows = res.to_pandas() if hasattr(res, "to_pandas") else res
        t2 = time.perf_counter()
        times["e2e_1"].append((t2 - t0) / n)
        build_share.append((t1 - t0) / (t2 - t0))
        numba.set_num_threads(all_threads)
        del rows
    return {k: _stats(v) for k, v in times.items() if v}, statistics.median(build_share), all_threads


def _load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average n/a"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="N up to 10 000, fewer repetitions (< 1 min)")
    ap.add_argument("--numba-cache", choices=("fresh", "default"), default=None,
                    help="fresh: compile into a temporary cache dir (real compile time; the "
                         "full mode's default); default: numba's normal on-disk cache (--quick's)")
    args = ap.parse_args(argv)
    if args.numba_cache is None:
        args.numba_cache = "default" if args.quick else "fresh"

    # Environment, before numba and fastsim are imported:
    # * RUST_BACKTRACE=1 (set in some shells and CI images) makes FASTSim-3 capture a Rust
    #   backtrace for every error value it creates and discards inside its solver (anyhow
    #   honours RUST_BACKTRACE unless RUST_LIB_BACKTRACE is set): walk() is then 20-30x
    #   slower (measured: Zoe on UDDS 50-80 ms instead of 2.2 ms). RUST_LIB_BACKTRACE=0 turns
    #   that capture off and keeps backtraces on panics. An explicit RUST_LIB_BACKTRACE wins.
    # * numba's cache (see --numba-cache).
    env_note = (f"RUST_BACKTRACE={os.environ.get('RUST_BACKTRACE', '<unset>')}, "
                f"RUST_LIB_BACKTRACE={os.environ.get('RUST_LIB_BACKTRACE', '<unset>')}")
    if os.environ.pop("RUST_BACKTRACE", None) is not None:
        env_note += " -> RUST_BACKTRACE unset"
    if "RUST_LIB_BACKTRACE" not in os.environ:
        os.environ["RUST_LIB_BACKTRACE"] = "0"
        env_note += " -> set RUST_LIB_BACKTRACE=0 for FASTSim"
    elif os.environ["RUST_LIB_BACKTRACE"] not in ("", "0"):
        env_note += " (WARNING: FASTSim-3 will be much slower)"
    cache_dir = None
    if args.numba_cache == "fresh":
        cache_dir = tempfile.mkdtemp(prefix="skateboard-bench-numba-")
        os.environ["NUMBA_CACHE_DIR"] = cache_dir
    try:
        return run(args, env_note)
    finally:
        if cache_dir:
            shutil.rmtree(cache_dir, ignore_errors=True)


def run(args, env_note: str) -> int:
    import numba

    # the modules (skateboard.engine re-exports a *function* named simulate)
    kernel_module = importlib.import_module("skateboard.engine.lanes")
    simulate_module = importlib.import_module("skateboard.engine.simulate")
    simulate_params = simulate_module.simulate_params

    warnings.filterwarnings("ignore", message=r"SimDrive\.walk is deprecated")  # walk() == run()
    if args.quick:
        sk_plan = [(1, 20), (100, 10), (10_000, 2)]
        fs_reps, fs_reps_other = 7, 3
    else:
        sk_plan = [(1, 100), (100, 30), (10_000, 5), (100_000, 3)]
        fs_reps, fs_reps_other = 21, 7
    rng = np.random.default_rng(SEED)

    print(f"# engine_vs_fastsim ({'quick' if args.quick else 'full'} mode)")
    print(f"machine: {_cpu_name()}, {os.cpu_count()} CPUs, {_load()}")
    print(f"         {_cpu_features()}")
    print(f"software: Python {platform.python_version()}, numpy {np.__version__}, numba "
          f"{numba.__version__} ({numba.get_num_threads()} threads); {env_note}")

    fastsim, why = import_fastsim()
    if fastsim is None:
        print(f"FASTSim-3: MISSING ({why}); timing Skateboard only, on the built-in snapshot of "
              "the FASTSim-3.1.0 vehicle data. Install it with: pip install -e '.[bench]'")
    else:
        print(f"FASTSim-3: fastsim {fastsim.__version__}")

    # vehicles and cycles
    sk_cycles = skateboard_cycles()
    fields = {k: (fastsim_fields(fastsim, r) if fastsim else FASTSIM_310_SNAPSHOT[k])
              for k, r in FASTSIM_VEHICLES.items()}
    base, ocv, rex, converted = build_base(fields, "fit")
    generic = build_base(fields, "pmsm_generic")

    print("\n## Converted vehicles (FASTSim-3 resource -> Skateboard Variant; see the docstring)")
    print(f"{'vehicle':8s} {'mass kg':>8s} {'Cd':>6s} {'A m2':>6s} {'Crr':>7s} {'r m':>6s} "
          f"{'P kW':>6s} {'T Nm':>6s} {'gear':>6s} {'eta_gb':>6s} {'usable kWh':>10s} {'R ohm':>7s} "
          f"{'rot %':>6s}  fitted losses (c0, c_speed, c_torque2, c_speed3)  RMS eff. error: fit, pmsm_generic")
    for key, (v, cond, rms) in converted.items():
        du = v.drive_units[0]
        print(f"{key:8s} {cond['mass']:8.1f} {v.drag_coefficient:6.3f} {v.frontal_area:6.3f} "
              f"{v.rolling_resistance_coefficient:7.5f} {v.wheel_radius:6.4f} {du.peak_power / 1e3:6.1f} "
              f"{du.peak_torque:6.1f} {du.gear_ratio:6.3f} {du.gearbox_efficiency:6.3f} "
              f"{v.pack.usable_energy / 3.6e6:10.2f} {v.pack.resistance:7.4f} "
              f"{100 * v.rotating_inertia_fraction:6.2f}  ({', '.join(f'{c:.5f}' for c in du.loss_coefficients)})"
              f"    {100 * rms:.1f}, {100 * generic[3][key][2]:.1f} %-points")

    # numba compile: the first call compiles (or loads) the one kernel; the timed loops below
    # then never compile. A batch of more than one tile runs on several threads.
    t0 = time.perf_counter()
    simulate_params(base, ocv, rex, sk_cycles["udds"])
    compile_s = time.perf_counter() - t0
    hits = sum(kernel_module.run_tiles.stats.cache_hits.values())
    how = ("loaded from numba's on-disk cache, not compiled" if hits else
           "compiled" + (" into a fresh temporary cache" if args.numba_cache == "fresh" else ""))
    threads_how = f"Python threads over blocks of tiles, {simulate_module.engine_threads()} at most"
    print(f"\n## Numba kernel, first call on UDDS ({how}): {compile_s:.2f} s; {threads_how}")

    # consumption comparison (Skateboard on the unperturbed base rows)
    sk_results = {c: simulate_params(base, ocv, rex, cyc) for c, cyc in sk_cycles.items()}
    sk_generic = {c: simulate_params(*generic[:3], cyc) for c, cyc in sk_cycles.items()}
    fs = None
    if fastsim is not None:
        fs = time_fastsim(fastsim, fastsim_cycles(fastsim, sk_cycles), fs_reps, fs_reps_other)

    print("\n## Consumption at the battery terminals [Wh/km], same vehicle and cycle "
          "(diff = Skateboard vs FASTSim-3)")
    print(f"{'vehicle':8s} {'cycle':13s} {'FASTSim-3':>9s} {'SB fit':>8s} {'diff %':>7s} "
          f"{'SB pmsm':>8s} {'diff %':>7s}   drivetrain loss Wh/km: {'FASTSim':>7s} {'SB fit':>7s}"
          f"   {'km FS':>6s} {'km SB':>6s}  SB trace miss [s]")
    diffs = {"fit": [], "generic": []}
    for i, key in enumerate(FASTSIM_VEHICLES):
        for cname in CYCLES:
            r, g = sk_results[cname], sk_generic[cname]
            km = r["distance"][i] / 1000.0
            sb = r["e_battery_terminal"][i] / 3600.0 / km
            sg = g["e_battery_terminal"][i] / 3600.0 / (g["distance"][i] / 1000.0)
            sb_loss = r["e_drivetrain_loss"][i] / 3600.0 / km
            miss = r["trace_miss_time"][i]
            if fs is not None:
                f = fs[key, cname]
                fkm = f["distance"] / 1000.0
                fw = f["e_terminal"] / 3600.0 / fkm
                d_fit, d_gen = 100.0 * (sb - fw) / fw, 100.0 * (sg - fw) / fw
                diffs["fit"].append(d_fit)
                diffs["generic"].append(d_gen)
                print(f"{key:8s} {cname:13s} {fw:9.2f} {sb:8.2f} {d_fit:+7.2f} {sg:8.2f} {d_gen:+7.2f}   "
                      f"{'':22s} {f['e_drivetrain_loss'] / 3600.0 / fkm:7.2f} {sb_loss:7.2f}   "
                      f"{fkm:6.2f} {km:6.2f}  {miss:.0f}")
            else:
                print(f"{key:8s} {cname:13s} {'-':>9s} {sb:8.2f} {'-':>7s} {sg:8.2f} {'-':>7s}   "
                      f"{'':22s} {'-':>7s} {sb_loss:7.2f}   {'-':>6s} {km:6.2f}  {miss:.0f}")
    for label, d in diffs.items():
        if d:
            print(f"Skateboard ({'fitted losses' if label == 'fit' else 'pmsm_generic'}) vs FASTSim-3: "
                  f"mean |diff| {statistics.mean(abs(x) for x in d):.2f} %, range {min(d):+.2f} .. {max(d):+.2f} %")

    # Skateboard timing
    sk = time_skateboard(base, ocv, rex, sk_cycles, sk_plan, rng)
    steps = {c: len(cyc.speed) - 1 for c, cyc in sk_cycles.items()}
    print("\n## Skateboard batch engine: time per vehicle-cycle [us] "
          "(simulate_params wall time / N, median of reps)")
    print(f"{'N':>8s} {'reps':>4s} " + " ".join(f"{c:>12s}" for c in CYCLES)
          + f" {'mean':>12s} {'ns/veh-step':>12s} {'veh-cycles/s':>13s}")
    sk_per_vc = {}
    for n, reps in sk_plan:
        per = {c: sk[n][c] / n for c in CYCLES}
        sk_per_vc[n] = statistics.mean(per.values())
        ns_step = 1e9 * sum(sk[n].values()) / n / sum(steps.values())
        print(f"{n:8d} {reps:4d} " + " ".join(_us(per[c]) for c in CYCLES)
              + f" {_us(sk_per_vc[n])} {ns_step:12.1f} {1.0 / sk_per_vc[n]:13.0f}")

    n_max = sk_plan[-1][0]
    traced = traced_peak_memory(base, ocv, rex, sk_cycles["wltc_class3b"], n_max, rng)
    print(f"\n## Memory: tracemalloc peak of tiling + one WLTC call at N={n_max} (numpy arrays): "
          f"{_mib(traced)} ({traced / n_max:.0f} B per variant)")

    if fs is not None:
        labels = {"walk_lean": "walk, lean", "walk_off": "walk, no hist.",
                  "walk_on": "walk, history", "with_setup": "setup+walk"}
        print("\n## FASTSim-3 SimDrive.walk(): time per vehicle-cycle [us] (median of "
              f"{fs_reps} reps for 'lean', {fs_reps_other} for the others; mean of the 3 vehicles)")
        print("lean = thermal models removed, no history (used for the ratio); the others are the "
              "bundled vehicles")
        print(f"{'cycle':13s} " + " ".join(f"{t:>15s}" for t in labels.values()))
        means = {label: {c: statistics.mean(fs[k, c][label] for k in FASTSIM_VEHICLES) for c in CYCLES}
                 for label in labels}
        for c in CYCLES:
            print(f"{c:13s} " + " ".join(f"{_us(means[label][c]):>15s}" for label in labels))
        fs_vc = {label: statistics.mean(m.values()) for label, m in means.items()}
        print(f"{'mean':13s} " + " ".join(f"{_us(fs_vc[label]):>15s}" for label in labels))
        print(f"ns per vehicle-step (walk, lean): "
              f"{1e9 * statistics.mean(means['walk_lean'][c] / steps[c] for c in CYCLES):.0f}")
        dev = max(abs(f["e_terminal_lean"] / f["e_terminal"] - 1.0) for f in fs.values())
        print(f"lean vs bundled terminal energy: max relative difference {dev:.1e}")
        print("\n## Ratio FASTSim-3 / Skateboard, time per vehicle-cycle")
        for n, _ in sk_plan:
            print(f"N={n:<7d} " + "   ".join(f"{t}: {fs_vc[label] / sk_per_vc[n]:7.1f}x"
                                              for label, t in labels.items()))

    n_core, reps_core = (10_000, 5) if args.quick else (10_000, 11)
    core, build_share, threads = per_core_section(fastsim, fields, converted, base, ocv, rex,
                                                  sk_cycles, n_core, reps_core, rng)
    udds_steps = steps["udds"]
    print(f"\n## Per core and per machine, UDDS, N = {n_core}, {reps_core} interleaved repetitions "
          "(FASTSim lean walk | Skateboard kernel 1 thread | kernel all threads | end to end 1 thread)")
    print("time per vehicle-cycle [us], min and median; FASTSim-3 runs one vehicle at a time on "
          "one thread")
    labels = {"fastsim": "FASTSim-3 walk(), lean, 1 thread",
              "sk_1": "Skateboard kernel, 1 thread",
              "sk_all": f"Skateboard kernel, {threads} threads (machine)",
              "e2e_1": "Skateboard end to end, 1 thread"}
    for k, label in labels.items():
        if k in core:
            lo, med = core[k]
            print(f"{label:44s} min {_us(lo)}  median {_us(med)}  "
                  f"({1e9 * med / udds_steps:8.1f} ns per vehicle-step)")
    print(f"end to end = Variant objects -> build_params -> kernel -> result; build_params is "
          f"{100 * build_share:.0f} % of it (median)")
    per_core = machine = e2e = math.nan
    if "fastsim" in core:
        fs_med = core["fastsim"][1]
        per_core = fs_med / core["sk_1"][1]
        machine = fs_med / core["sk_all"][1]
        e2e = fs_med / core["e2e_1"][1]
        print(f"ratios on medians: per core {per_core:.0f}x, machine ({threads} threads vs 1) "
              f"{machine:.0f}x, end to end per core {e2e:.0f}x")

    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # KiB on Linux
    print(f"\npeak RSS of the whole process (ru_maxrss): {_mib(rss_kib * 1024)}")
    print(f"numba compile (first call): {compile_s:.2f} s")
    print(f"machine at the end: {_load()}")
    if fs is None:
        print("FASTSim-3 missing: no ratio")
    def line(name, x):
        print(f"{name}: {x:.1f}" if math.isfinite(x) else f"{name}: nan")

    line("ratio_vs_fastsim3_per_core", per_core)
    line("ratio_vs_fastsim3_machine", machine)
    line("ratio_end_to_end_per_core", e2e)
    line("ns_per_vehicle_step_per_core", 1e9 * core["sk_1"][1] / udds_steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
