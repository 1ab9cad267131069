"""Cabin heating and cooling power as a steady-state heat balance.

Heat to move [W]:  Q = UA (T_set - T_amb) for heating, UA (T_amb - T_set) + Q_solar for cooling,
electrical power = Q / COP + blower power. Battery cooling adds a chiller load above 35 degC.

Coefficients (assumptions, calibrated to published range losses): UA = 100 W/K and a PTC heater
(COP 1) give 2.9 kW at -7 degC, about the extra load implied by AAA (2019) "Electric vehicle range
testing": -41 % range at -7 degC (20 degF) with the heater on over a city cycle of about 4 kW
traction power; with air conditioning at 35 degC (95 degF) AAA found -17 %, about 0.8 kW, which
UA = 100 W/K, 600 W solar gain, COP 2.5 and a 150 W blower reproduce (0.9 kW). Heat pump COP
2.0 at -7 degC lies in docs/sources.md's 2-3. The structure is the usual cabin thermal balance
(e.g. Rugh et al., NREL/CP-540-42500, 2007).

HVAC system (the spec's ``hvac_system``): ``resistive`` heats with a PTC heater (COP 1);
``heat_pump`` with an air-source heat pump whose COP and heating capacity follow published
bench tests of automotive heat pumps (:data:`HEAT_PUMP_BENCH_TESTS`), the heat it cannot supply
coming from the PTC heater:

- COP = :data:`CARNOT_FRACTION` x the Carnot COP between the condensing temperature
  (:data:`CONDENSING_C`, 45 degC: the supply air of the bench tests is about 40 degC; assumption)
  and the evaporating temperature (ambient - :data:`EVAPORATOR_APPROACH_K` 10 K; assumption),
  capped at :data:`MAX_HEAT_PUMP_COP`. The fraction is the mean over the bench tests of COP /
  Carnot COP (0.36-0.67; computed here, not fitted on any range test).
- heating capacity [W]: the least-squares line through the bench tests' capacities over ambient
  (3.1 kW at -10 degC, 3.6 kW at -5 degC, 4.2 kW at -1 degC), never below zero (from about -35 degC).

Pack heating (:func:`pack_heating`): below :data:`PACK_HEATING_TARGET_C` a cold-soaked pack is
warmed to that temperature by a heater of COP 1 from the pack itself, then held there against
its heat loss. Warm-up energy = pack heat capacity x (target - ambient); holding power =
:data:`PACK_HEAT_LOSS_UA` x (target - ambient). Heat capacity = pack mass x
:data:`CELL_SPECIFIC_HEAT`; a pack without a mass gets gross energy / :data:`PACK_SPECIFIC_ENERGY`.
All four are assumptions (cells 0.8-1.1 J/(g K); LFP and NMC packs 130-180 Wh/kg; the bundled
28.4 kWh pack of 200 kg is 142 Wh/kg), none fitted on a range test.
"""

from __future__ import annotations

import numpy as np

CABIN_SETPOINT_C = 22.0
CABIN_UA = 100.0            # W/K, cabin conductance incl. ventilation (assumption, see docstring)
BLOWER_POWER = 150.0        # W
#: Solar heat absorbed through the glazing [W] at ambient temperatures [degC] (assumption;
#: linear between the points, constant outside them).
SOLAR_GAIN = {26.0: 300.0, 35.0: 600.0, 45.0: 700.0}
BATTERY_CHILLER_POWER = 300.0  # W above 35 degC ambient (assumption)
BATTERY_MAX_TEMPERATURE_C = 35.0  # thermal management keeps the pack at or below this


#: Published bench tests of automotive air-source heat pumps: (ambient degC, heating COP,
#: heating capacity W, source).
HEAT_PUMP_BENCH_TESTS = (
    (-10.0, 3.26, 3100.0, "steady-state and start-up performance of an air-source heat pump for "
     "cabin heating in an electric passenger car (abstract: COP 3.26, 3.10 kW at -10 degC outdoor)"),
    (-5.0, 3.2, 3600.0, "Tang, Guo, Li, Jiang, Energies 2020 (Jilin University / FAWER Hanon): "
     "R134a heat pump of a BEV, 3.6 kW and COP 3.2 at -5 degC"),
    (-1.0, 1.9, 4200.0, "Advances in Mechanical Engineering 2019, doi 10.1177/1687814019845806: "
     "reversible heat pump with a water-glycol loop, 4.2 kW and COP 1.9 at -1 degC, air to the "
     "cabin at 41.5 degC"),
)
CONDENSING_C = 45.0
EVAPORATOR_APPROACH_K = 10.0
MAX_HEAT_PUMP_COP = 4.0


def _carnot_cop(ambient_c):
    t_hot = CONDENSING_C + 273.15
    t_cold = np.asarray(ambient_c, float) - EVAPORATOR_APPROACH_K + 273.15
    return t_hot / np.maximum(t_hot - t_cold, 1.0)


#: Mean of COP / Carnot COP over :data:`HEAT_PUMP_BENCH_TESTS`.
CARNOT_FRACTION = float(np.mean([cop / _carnot_cop(t) for t, cop, _, _ in HEAT_PUMP_BENCH_TESTS]))
_CAP_SLOPE, _CAP_INTERCEPT = np.polyfit([t for t, *_ in HEAT_PUMP_BENCH_TESTS],
                                        [q for _, _, q, _ in HEAT_PUMP_BENCH_TESTS], 1)
HVAC_SYSTEMS = ("heat_pump", "resistive")


def heat_pump_cop(ambient_c):
    """Heating COP of an air-source heat pump at ambient [degC] (see the module docstring)."""
    return np.clip(CARNOT_FRACTION * _carnot_cop(ambient_c), 1.0, MAX_HEAT_PUMP_COP)


def heat_pump_capacity(ambient_c):
    """Heating capacity of the heat pump [W] at ambient [degC] (least squares on the bench tests)."""
    return np.maximum(_CAP_INTERCEPT + _CAP_SLOPE * np.asarray(ambient_c, float), 0.0)


def ac_cop(ambient_c):
    """Cooling COP: 2.5 at 35 degC, 1.8 at 45 degC (linear; condensing temperature rises)."""
    return np.clip(2.5 - 0.07 * (np.asarray(ambient_c, float) - 35.0), 1.5, 3.5)


def hvac_power(ambient_c, *, heat_pump: bool = True, solar_w=None):
    """Electrical HVAC power [W] at ambient temperature [degC] (cabin held at 22 degC)."""
    t = np.asarray(ambient_c, float)
    dt_heat = np.maximum(CABIN_SETPOINT_C - 4.0 - t, 0.0)  # no heating needed above 18 degC
    dt_cool = np.maximum(t - (CABIN_SETPOINT_C + 4.0), 0.0)  # no A/C below 26 degC
    solar = np.interp(t, list(SOLAR_GAIN), list(SOLAR_GAIN.values())) if solar_w is None else solar_w
    q_heat = CABIN_UA * (CABIN_SETPOINT_C - t) * (dt_heat > 0)
    if heat_pump:   # the heat pump up to its capacity, the PTC heater for the rest
        q_hp = np.minimum(q_heat, heat_pump_capacity(t))
        heating = q_hp / heat_pump_cop(t) + (q_heat - q_hp)
    else:
        heating = q_heat
    cooling = (CABIN_UA * (t - CABIN_SETPOINT_C) + solar) * (dt_cool > 0) / ac_cop(t)
    chiller = np.where(t > BATTERY_MAX_TEMPERATURE_C, BATTERY_CHILLER_POWER, 0.0)
    blower = np.where((dt_heat > 0) | (dt_cool > 0), BLOWER_POWER, 0.0)
    return heating + cooling + chiller + blower


PACK_HEATING_TARGET_C = 10.0
CELL_SPECIFIC_HEAT = 1000.0      # J/(kg K)
PACK_SPECIFIC_ENERGY = 150.0 * 3600.0   # J of gross energy per kg of pack
PACK_HEAT_LOSS_UA = 10.0         # W/K


def pack_heating(ambient_c, pack_mass, gross_energy):
    """(warm-up energy [J], holding power [W], pack temperature [K]) of a cold-soaked pack at
    ambient [degC] (see the module docstring); at or above the target (0, 0, the pack
    temperature of :func:`battery_temperature_k`)."""
    t = float(ambient_c)
    if t >= PACK_HEATING_TARGET_C:
        return 0.0, 0.0, float(battery_temperature_k(t))
    mass = pack_mass if pack_mass > 0 else gross_energy / PACK_SPECIFIC_ENERGY
    dt = PACK_HEATING_TARGET_C - t
    return mass * CELL_SPECIFIC_HEAT * dt, PACK_HEAT_LOSS_UA * dt, PACK_HEATING_TARGET_C + 273.15


def battery_temperature_k(ambient_c):
    """Pack temperature [K]: ambient (cold-soaked, no preconditioning) up to 35 degC, then held
    at 35 degC by the thermal management."""
    return np.minimum(np.asarray(ambient_c, float), BATTERY_MAX_TEMPERATURE_C) + 273.15
