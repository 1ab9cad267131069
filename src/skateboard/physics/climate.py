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


def heat_pump_cop(ambient_c):
    """Heating COP of an air-source heat pump: 2.0 at -7 degC rising 0.05 per K, capped at 3."""
    return np.clip(2.0 + 0.05 * (np.asarray(ambient_c, float) + 7.0), 1.0, 3.0)


def ac_cop(ambient_c):
    """Cooling COP: 2.5 at 35 degC, 1.8 at 45 degC (linear; condensing temperature rises)."""
    return np.clip(2.5 - 0.07 * (np.asarray(ambient_c, float) - 35.0), 1.5, 3.5)


def hvac_power(ambient_c, *, heat_pump: bool = True, solar_w=None):
    """Electrical HVAC power [W] at ambient temperature [degC] (cabin held at 22 degC)."""
    t = np.asarray(ambient_c, float)
    dt_heat = np.maximum(CABIN_SETPOINT_C - 4.0 - t, 0.0)  # no heating needed above 18 degC
    dt_cool = np.maximum(t - (CABIN_SETPOINT_C + 4.0), 0.0)  # no A/C below 26 degC
    solar = np.interp(t, list(SOLAR_GAIN), list(SOLAR_GAIN.values())) if solar_w is None else solar_w
    cop_h = heat_pump_cop(t) if heat_pump else 1.0
    heating = CABIN_UA * (CABIN_SETPOINT_C - t) * (dt_heat > 0) / cop_h
    cooling = (CABIN_UA * (t - CABIN_SETPOINT_C) + solar) * (dt_cool > 0) / ac_cop(t)
    chiller = np.where(t > BATTERY_MAX_TEMPERATURE_C, BATTERY_CHILLER_POWER, 0.0)
    blower = np.where((dt_heat > 0) | (dt_cool > 0), BLOWER_POWER, 0.0)
    return heating + cooling + chiller + blower


def battery_temperature_k(ambient_c):
    """Pack temperature [K]: ambient (cold-soaked, no preconditioning) up to 35 degC, then held
    at 35 degC by the thermal management."""
    return np.minimum(np.asarray(ambient_c, float), BATTERY_MAX_TEMPERATURE_C) + 273.15
