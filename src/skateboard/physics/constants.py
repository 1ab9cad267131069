"""Physical and regulatory constants shared by every layer (SI units), each with its source."""

#: Standard gravity [m/s^2] (CGPM 1901; ISO 80000-3).
GRAVITY = 9.80665
#: Reference air density [kg/m^3] of WLTP road-load determination: 20 degC, 100 kPa
#: (UN GTR 15 Annex 4, para. 4.5.7 / EU 2017/1151 Sub-Annex 4).
AIR_DENSITY_WLTP = 1.189
#: Driver mass [kg] included in the EU mass in running order (EU Regulation 1230/2012 art. 2(4);
#: UN GTR 15 para. 3.2.5).
DRIVER_MASS = 75.0

# --- US customary units and EPA's gallon equivalent (exact; NIST SP 811, 2008, App. B.8) ------
#: One international pound [kg] (also 40 CFR 1066.1005).
POUND = 0.45359237
#: One pound-force [N].
POUND_FORCE = 4.4482216152605
#: One kilowatt-hour [J] (SI Brochure, 9th ed., Table 8: 1 Wh = 3600 J).
KWH = 3.6e6
#: One international mile [m].
MILE = 1609.344
#: One mile per hour [m/s].
MILE_PER_HOUR = 0.44704
#: Energy of one gallon of gasoline equivalent [Wh] (40 CFR 600.002: 33.705 kWh).
WH_PER_GALLON_EQUIVALENT = 33_705.0
