"""Validation: how close Skateboard comes to measured and published figures.

Two comparisons, both documented with their figures in ``docs/accuracy.md``:

:func:`validate_epa_testcar`
    Rows of the US EPA Test Car List (one vehicle on one cycle: UDDS or HWFET) are turned into
    generic vehicles built from *only* the row's test mass, coast-down coefficients, drive layout
    and rated power, plus the generic defaults of :class:`GenericDefaults`; Skateboard predicts
    the unadjusted AC (wall) consumption by the EPA multi-cycle test (repeat the cycle from full
    charge to depletion, AC recharge energy / distance; 40 CFR 600, SAE J1634) and the prediction
    is compared with the measured value. The measured value is never used to build or adjust a
    vehicle: it is read only to compare and for the plausibility screen stated below.
:func:`validate_published`
    The bundled Leapmotor vehicles run through their published procedures (WLTP) and are compared
    with the makers' published figures (``data/validation/published.toml``, with sources).

Plausibility screen (stated before any comparison, applied to every file alike): a row is not
a full-test BEV result, and is reported separately as excluded, when its rated power is below
:data:`SCREEN_MIN_RATED_HP` (an input error: no BEV in the list is that weak) or its measured
consumption lies outside :data:`SCREEN_WH_PER_KM` (no series-production BEV on UDDS or HWFET is
that frugal or that wasteful; such figures are per-phase values or unit errors in EPA's list).
The rated-power rule uses inputs only, so those rows are not simulated; rows screened on their
measured value are still predicted (the prediction never depends on it) and listed with the
reason. A third rule removes the records listed in :data:`RECORD_DEFECTS_FILE`: records of EPA's
list that an independent source shows are not unadjusted test results (each entry gives the
defect and its evidence; matched on every required column, so it applies to any file that holds
the same record and to no other row).

Generic defaults and calibration: see :class:`GenericDefaults`. Three of them (charger
efficiency and the scales of the no-load and load-dependent terms of the generic drive-unit loss
map) were fitted on the bundled calibration file by :func:`calibrate`; every other default is
fixed and documented where it is defined.

The package holds one module per job: :mod:`.epa_list` (the file format, the screen's constants
and the conversion of EPA's own list files), :mod:`.defaults` (the generic defaults),
:mod:`.reader` (reading a file and screening its rows), :mod:`.predict` (generic vehicles and
their prediction), :mod:`.results` (:class:`ValidationResult`), :mod:`.calibration`
(:func:`calibrate`, :func:`cross_validate`) and :mod:`.published` (the makers' figures).
"""

from skateboard.validation.calibration import (
                                               CALIBRATION_COPPER_SCALES,
                                               CALIBRATION_INDUCTION_SCALES,
                                               CALIBRATION_NO_LOAD_SCALES,
                                               CALIBRATION_SIC_SCALES,
                                               GENERIC_COPPER_SCALES,
                                               GENERIC_NO_LOAD_SCALES,
                                               CHARGER_EFFICIENCY_BOUNDS,
                                               CalibrationResult,
                                               calibrate,
                                               cross_validate,
)
from skateboard.validation.defaults import CALIBRATED, FITTED_PARAMETERS, GenericDefaults
from skateboard.validation.epa_list import (
                                               CYCLES,
                                               DATA_DIR,
                                               DRIVE_LAYOUTS,
                                               EPA_FORMAT_COLUMNS,
                                               EPA_HOLDOUT_FILE,
                                               EPA_LIST_CYCLES,
                                               EPA_OTHER_YEARS_FILE,
                                               EPA_TESTCAR_FILE,
                                               HORSEPOWER,
                                               INPUT_COLUMNS,
                                               KNOWN_UNREAD_COLUMNS,
                                               MEASURED_COLUMN,
                                               PUBLISHED_FILE,
                                               RECORD_DEFECTS_FILE,
                                               REQUIRED_COLUMNS,
                                               SCREEN_MIN_RATED_HP,
                                               SCREEN_WH_PER_KM,
                                               UNIT_DEFECT_MPGE,
                                               convert_epa_test_car_list,
                                               epa_list_record,
                                               is_epa_list_header,
                                               write_epa_extract,
)
from skateboard.validation.predict import (
                                               epa_variant,
                                               error_summary,
                                               generic_drive_unit,
                                               generic_pack,
                                               predict_epa_testcar,
)
from skateboard.validation.published import load_published, validate_published
from skateboard.validation.reader import drive_layout, read_epa_testcar, screen, unit_defects
from skateboard.validation.results import ROW_COLUMNS, ValidationResult, validate_epa_testcar
from skateboard.validation.technology import technology_of

__all__ = [
    "CALIBRATED", "CHARGER_EFFICIENCY_BOUNDS", "CalibrationResult", "EPA_HOLDOUT_FILE",
    "EPA_OTHER_YEARS_FILE", "UNIT_DEFECT_MPGE", "EPA_TESTCAR_FILE", "FITTED_PARAMETERS", "GenericDefaults",
    "PUBLISHED_FILE", "RECORD_DEFECTS_FILE", "ValidationResult", "calibrate", "epa_variant", "error_summary",
    "load_published", "predict_epa_testcar", "read_epa_testcar", "screen", "validate_epa_testcar",
    "validate_published", "convert_epa_test_car_list", "epa_list_record", "is_epa_list_header",
    "write_epa_extract", "cross_validate", "drive_layout", "unit_defects",
    "generic_pack", "generic_drive_unit", "CYCLES", "DATA_DIR", "DRIVE_LAYOUTS", "EPA_FORMAT_COLUMNS",
    "EPA_LIST_CYCLES", "HORSEPOWER", "INPUT_COLUMNS", "KNOWN_UNREAD_COLUMNS", "MEASURED_COLUMN",
    "REQUIRED_COLUMNS", "SCREEN_MIN_RATED_HP", "SCREEN_WH_PER_KM", "ROW_COLUMNS",
    "CALIBRATION_COPPER_SCALES", "CALIBRATION_NO_LOAD_SCALES", "CALIBRATION_INDUCTION_SCALES",
    "CALIBRATION_SIC_SCALES", "GENERIC_COPPER_SCALES", "GENERIC_NO_LOAD_SCALES",
    "technology_of",
]

# China-market CLTC ranges and measured climate ranges (:mod:`.cltc`, :mod:`.climate`, with the
# spec-sheet vehicles of :mod:`.spec_sheet`; docs/accuracy.md).
from skateboard.validation.climate import validate_climate  # noqa: E402
from skateboard.validation.cltc import validate_cltc  # noqa: E402

__all__ += ["validate_cltc", "validate_climate"]
