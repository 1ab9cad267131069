"""The generic defaults a validation vehicle needs that an EPA row does not give."""

from __future__ import annotations

from dataclasses import dataclass, replace

from skateboard.physics.constants import KWH
from skateboard.spec import defaults as spec_defaults
from skateboard.spec.models import DEFAULT_AUX_POWER, DEFAULT_GEARBOX_EFFICIENCY

# ---------------------------------------------------------------------------------------------
# Generic defaults
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GenericDefaults:
    """Everything a calibration-row vehicle needs that the EPA row does not give.

    The same values for every row: no per-vehicle or per-make choice. Only
    ``charger_efficiency``, ``no_load_loss_scale`` and ``copper_loss_scale`` were fitted (on the
    bundled file, by :func:`calibrate`); the rest are fixed assumptions. The physics defaults
    (charger efficiency, auxiliary load, gearbox efficiency and the drive-unit loss rule) are read
    from the spec layer (:mod:`skateboard.spec.defaults`, :mod:`skateboard.spec.models`), the
    values every TOML car gets, so what is validated is what users run; the fields exist so that
    :func:`calibrate` can vary them.

    Parameters
    ----------
    charger_efficiency : AC mains -> battery electrochemical energy, 0..1 [-]. Fitted
        (:data:`skateboard.spec.defaults.CHARGER_EFFICIENCY`, with how it was fitted).
    aux_power : always-on electrical load during the dynamometer test [W]
        (:data:`skateboard.spec.models.DEFAULT_AUX_POWER`, the middle of docs/sources.md's
        0.2-0.4 kW).
    no_load_loss_scale, copper_loss_scale, copper_loss_rating_exponent, loss_map,
    loss_reference_power : the calibrated drive-unit loss rule
        (:func:`skateboard.spec.defaults.calibrated_loss_coefficients`: the ``loss_map`` shape,
        its no-load terms x ``no_load_loss_scale`` referred to a unit of ``loss_reference_power``
        [W], its load term x ``copper_loss_scale`` x (rated / reference power)^(1 - exponent));
        the scales fitted, the exponent chosen by leave-one-make-out, the reference power an
        assumption (values and reasons in :mod:`skateboard.spec.defaults`). The copper scale is
        an effective value: it stands for every load-dependent loss and makes up for the
        generic torque rule, which gives less torque than most real motors.
    top_speed : vehicle speed at the motor's maximum speed [m/s]. Assumption: 180 km/h.
        With ``base_speed_ratio`` it sets the torque rule; the gear ratio follows from it.
    base_speed_ratio : motor maximum speed / base speed (the end of constant torque) [-].
        :data:`skateboard.spec.defaults.BASE_SPEED_RATIO`. Peak torque = rated power / base
        speed.
    motor_max_speed : [rad/s]; with ``wheel_radius`` only sets the gear ratio (no result
        depends on it: the loss map is per unit of speed and torque).
    wheel_radius : dynamic rolling radius [m] (as above, no result depends on it).
    gearbox_efficiency : single-speed reduction, constant [-]
        (:data:`skateboard.spec.models.DEFAULT_GEARBOX_EFFICIENCY`).
    awd_front_share : share of the rated power given to the front unit of an AWD vehicle [-].
        Assumption: 0.5 (an even split; the engine drives the rear unit first and adds the
        front one only beyond it, so the split changes little on UDDS and HWFET).
    pack_chemistry, pack_usable_energy [J], pack_gross_energy [J], pack_nominal_voltage [V],
    pack_max_charge_power [W] : one generic pack for every row. Assumption: an 80 kWh usable
        NMC pack at 400 V (the middle of the list's vehicles), resistance from skateboard's
        chemistry rule (:func:`skateboard.spec.models.default_pack_resistance`). The EPA test
        runs to depletion, so the pack size changes the number of cycles, not the consumption,
        except through the pack resistance (see docs/accuracy.md for the sensitivity).
    front_mass_share, cg_height [m], wheelbase [m], track [m] : only set axle loads for the
        grip and regenerative-braking limits. Assumption: 0.5, 0.55 m, 2.9 m, 1.6 m.
    induction_loss_scale, sic_loss_scale : the drive-unit technology scales
        (:func:`skateboard.spec.defaults.technology_loss_scale`), fitted with the two loss scales
        and the charger efficiency; a row's technology comes from the sourced side table
        (:mod:`skateboard.validation.technology`).
    technology : read each row's technology from the side table (False: every row a generic
        permanent-magnet vehicle on silicon, as before issue #15 §3; for comparisons).
    """

    charger_efficiency: float = spec_defaults.CHARGER_EFFICIENCY
    aux_power: float = DEFAULT_AUX_POWER
    no_load_loss_scale: float = spec_defaults.NO_LOAD_LOSS_SCALE
    copper_loss_scale: float = spec_defaults.COPPER_LOSS_SCALE
    copper_loss_rating_exponent: float = spec_defaults.COPPER_LOSS_RATING_EXPONENT
    loss_map: str = spec_defaults.BASE_LOSS_MAP
    loss_reference_power: float | None = spec_defaults.LOSS_REFERENCE_POWER
    top_speed: float = spec_defaults.TOP_SPEED
    base_speed_ratio: float = spec_defaults.BASE_SPEED_RATIO
    motor_max_speed: float = spec_defaults.MOTOR_MAX_SPEED
    wheel_radius: float = 0.34
    gearbox_efficiency: float = DEFAULT_GEARBOX_EFFICIENCY
    awd_front_share: float = 0.5
    pack_chemistry: str = "NMC"
    pack_usable_energy: float = 80.0 * KWH
    pack_gross_energy: float = 84.0 * KWH
    pack_nominal_voltage: float = spec_defaults.NOMINAL_VOLTAGE
    pack_max_charge_power: float = spec_defaults.MAX_CHARGE_POWER
    front_mass_share: float = 0.5
    cg_height: float = 0.55
    wheelbase: float = spec_defaults.WHEELBASE
    track: float = spec_defaults.TRACK
    induction_loss_scale: float = spec_defaults.INDUCTION_LOSS_SCALE
    sic_loss_scale: float = spec_defaults.SIC_LOSS_SCALE
    technology: bool = True

    def replace(self, **changes) -> "GenericDefaults":
        return replace(self, **changes)


#: The calibrated defaults (fitted on the bundled file by :func:`calibrate`; docs/accuracy.md).
CALIBRATED = GenericDefaults()
#: The parameters :func:`calibrate` fits.
FITTED_PARAMETERS = ("charger_efficiency", "no_load_loss_scale", "copper_loss_scale",
                     "induction_loss_scale", "sic_loss_scale")
