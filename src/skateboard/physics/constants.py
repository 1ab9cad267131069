"""Physical and regulatory constants shared by every layer (SI units), each with its source."""

#: Standard gravity [m/s^2] (CGPM 1901; ISO 80000-3).
GRAVITY = 9.80665
#: Reference air density [kg/m^3] of WLTP road-load determination: 20 degC, 100 kPa
#: (UN GTR 15 Annex 4, para. 4.5.7 / EU 2017/1151 Sub-Annex 4).
AIR_DENSITY_WLTP = 1.189
#: Driver mass [kg] included in the EU mass in running order (EU Regulation 1230/2012 art. 2(4);
#: UN GTR 15 para. 3.2.5).
DRIVER_MASS = 75.0
