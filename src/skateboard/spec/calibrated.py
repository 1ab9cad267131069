"""The calibrated physics defaults: what every car gets where its file gives no figure of its own.

These values were fitted on EPA's MY2022 test-car list (86 BEV tests of
``data/validation/epa_2022_bev_calibration.csv``, by :func:`skateboard.validation.calibrate`;
docs/accuracy.md, "Calibration") and are the defaults of the spec layer, so the model that
``skateboard validate epa-testcar`` scores is the model a user's TOML car runs: a platform without
``charger_efficiency`` gets :data:`CHARGER_EFFICIENCY`, a drive unit without ``loss_map`` (or with
``loss_map = "calibrated"``) gets the rated loss rule
(:func:`skateboard.physics.drive_unit.rated_loss_coefficients` with the values below). Validation
builds its vehicles from these same names (``skateboard.validation.defaults``); nothing else holds
them.

- :data:`CHARGER_EFFICIENCY` 0.855: AC mains -> battery, fitted (within the plausible 0.85-0.92 of
  docs/sources.md).
- :data:`NO_LOAD_LOSS_SCALE` 0.15, :data:`COPPER_LOSS_SCALE` 5: fitted factors on the no-load and
  the load terms of the ``pmsm_generic`` shape (:data:`LOSS_BASE_MAP`).
- :data:`LOSS_REFERENCE_POWER` 150 kW and :data:`COPPER_LOSS_RATING_EXPONENT` 0.25: structural
  choices (assumptions), the exponent chosen by the lowest leave-one-make-out error among 0, 0.25,
  0.5, 0.75 and 1 (docs/accuracy.md).
- :data:`BASE_SPEED_RATIO` 3: the torque rule the load term was fitted with; a unit stating its
  own peak torque keeps the same load loss per N m^2 (assumption, see
  :func:`~skateboard.physics.drive_unit.rated_loss_coefficients`).
- :data:`AUX_POWER` 300 W: the middle of the 0.2-0.4 kW of docs/sources.md (assumption, not
  fitted).
"""

from __future__ import annotations

from skateboard.physics.drive_unit import NAMED_LOSS_MAPS, rated_loss_coefficients

#: Name of the calibrated drive-unit loss rule in a spec file (``loss_map = "calibrated"``).
CALIBRATED_LOSS_MAP = "calibrated"
CHARGER_EFFICIENCY = 0.855
AUX_POWER = 300.0
LOSS_BASE_MAP = "pmsm_generic"
NO_LOAD_LOSS_SCALE = 0.15
COPPER_LOSS_SCALE = 5.0
COPPER_LOSS_RATING_EXPONENT = 0.25
LOSS_REFERENCE_POWER = 150e3
#: Motor maximum speed / base speed of the torque rule the load term was fitted with (peak torque
#: = rated power x 3 / max speed): a typical field-weakening range of PMSM traction motors
#: (assumption; docs/accuracy.md, "The generic vehicle").
BASE_SPEED_RATIO = 3.0


def loss_coefficients(peak_power: float, peak_torque: float,
                      max_speed: float) -> tuple[float, float, float, float]:
    """Loss coefficients of the calibrated drive unit of ``peak_power`` [W], ``peak_torque``
    [N m] and ``max_speed`` [rad/s]."""
    return rated_loss_coefficients(peak_power, peak_torque, max_speed,
                                   NAMED_LOSS_MAPS[LOSS_BASE_MAP], NO_LOAD_LOSS_SCALE,
                                   COPPER_LOSS_SCALE, COPPER_LOSS_RATING_EXPONENT,
                                   LOSS_REFERENCE_POWER, BASE_SPEED_RATIO)
