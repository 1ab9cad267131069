"""Synthetic vehicles and cycles whose answers can be calculated by hand (not bundled data)."""

from __future__ import annotations

import types

import numpy as np

from skateboard.physics.drive_unit import named_loss_map
from skateboard.spec.fuels import load_fuel
from skateboard.spec.variant import DriveUnit, EnergyManagement, Pack, RangeExtender, Variant

KWH = 3.6e6

E10_TEST_FUEL = types.SimpleNamespace(name="E10", density=743.0, lower_heating_value=41.5e6,
                                      co2_per_volume=2290.0)


def pack(**kw) -> Pack:
    base = dict(name="test", chemistry="LFP", usable_energy=60 * KWH, gross_energy=62 * KWH,
                nominal_voltage=400.0, resistance=0.08, max_discharge_power=200e3,
                max_charge_power=120e3, mass=400.0)
    base.update(kw)
    return Pack(**base)


def drive_unit(**kw) -> DriveUnit:
    base = dict(name="rear", axle="rear", peak_power=160e3, continuous_power=100e3, peak_torque=240.0,
                max_speed=16000 * 2 * np.pi / 60, gear_ratio=10.0, gearbox_efficiency=0.97,
                loss_coefficients=named_loss_map("pmsm_generic"))
    base.update(kw)
    return DriveUnit(**base)


def range_extender(**kw) -> RangeExtender:
    base = dict(name="rex", max_power=65e3,
                efficiency_load_fractions=(0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0),
                engine_efficiency=(0.05, 0.22, 0.30, 0.36, 0.39, 0.38, 0.35),
                generator_efficiency=0.94, idle_fuel_power=3e3, min_on_time=60.0,
                start_fuel_energy=0.0, cold_start_fuel_energy=0.0, fuel_tank_volume=0.05, fuel="E10")
    base.update(kw)
    base.setdefault("fuel_properties", load_fuel(base["fuel"]))
    return RangeExtender(**base)


def variant(**kw) -> Variant:
    base = dict(name="synthetic", label="Synthetic BEV", platform="test", maker="test", powertrain="BEV",
                curb_mass=1700.0, max_gross_mass=2200.0, optional_equipment_mass=0.0,
                front_mass_share=0.5, max_front_axle_load=1200.0, max_rear_axle_load=1200.0,
                rotating_inertia_fraction=0.03, wheelbase=2.7, track=1.6, cg_height=0.6,
                wheel_radius=0.34, drag_coefficient=0.30, frontal_area=2.5,
                rolling_resistance_coefficient=0.009, f0=None, f1=None, f2=None, pack=pack(),
                drive_units=(drive_unit(),), range_extender=None, energy_management=None,
                aux_power=300.0, charger_efficiency=0.9,
                # a pure C_rr + Cd A road load, so the hand calculations of the tests hold;
                # tests of the speed term set it
                rolling_resistance_speed_coefficient=0.0)
    base.update(kw)
    return Variant(**base)


def erev(strategy="thermostat", **kw) -> Variant:
    em = {"thermostat": EnergyManagement("thermostat", 0.20, 0.18, 0.25),
          "load_following": EnergyManagement("load_following", 0.20, 0.18, 0.25, gain=2.0),
          "hold": EnergyManagement("hold", 0.20, 0.18, 0.22, gain=2.0),
          "operating_point": EnergyManagement("operating_point", 0.20, 0.18, 0.25, gain=2.0)}[strategy]
    base = dict(name=f"synthetic-erev-{strategy}", powertrain="EREV",
                pack=pack(usable_energy=28 * KWH, gross_energy=29.5 * KWH, max_discharge_power=150e3,
                          max_charge_power=80e3),
                range_extender=range_extender(), energy_management=em)
    base.update(kw)
    return variant(**base)


def cycle(speed_kmh, name="synthetic", grade_rad=None, phases=()):
    speed = np.asarray(speed_kmh, dtype=float) / 3.6
    return types.SimpleNamespace(name=name, time=np.arange(len(speed), dtype=float), speed=speed,
                                 grade=None if grade_rad is None else np.asarray(grade_rad, float),
                                 phases=phases, dt=1.0)


def constant_speed_cycle(kmh, hold_s=600, ramp_s=30):
    """Accelerate from rest to ``kmh`` in ``ramp_s`` s, hold, and stop the same way."""
    up = np.linspace(0.0, kmh, ramp_s + 1)
    return cycle(np.concatenate([up, np.full(hold_s, kmh), up[::-1]]), name=f"const{kmh}")
