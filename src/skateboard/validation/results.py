"""The result of comparing Skateboard with an EPA test-car file."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from skateboard.jsonsafe import json_records, json_value
from skateboard.validation.defaults import CALIBRATED, FITTED_PARAMETERS, GenericDefaults
from skateboard.validation.epa_list import (
    EPA_TESTCAR_FILE,
    INPUT_COLUMNS,
    MEASURED_COLUMN,
    RECORD_DEFECTS_FILE,
    SCREEN_MIN_RATED_HP,
    SCREEN_WH_PER_KM,
)
from skateboard.validation.predict import error_summary, predict_epa_testcar
from skateboard.validation.reader import read_epa_testcar, screen

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

ROW_COLUMNS = ["line", "make", "model", "cycle", "drive", "rated_hp", "test_mass_kg",
               "predicted_wh_per_km_ac", "measured_wh_per_km_ac", "error_percent",
               "measured_note"]


_records = json_records


@dataclass
class ValidationResult:
    """Predicted vs measured consumption of an EPA test-car file.

    Attributes
    ----------
    rows : DataFrame — the compared rows: ``line`` (file line), ``make``, ``model``, ``cycle``,
        ``drive``, ``rated_hp``, ``test_mass_kg``, ``predicted_wh_per_km_ac`` and
        ``measured_wh_per_km_ac`` [Wh/km], ``error_percent`` = (predicted / measured - 1) x 100,
        ``measured_note`` (how the measured value was read when not as listed: the unit-defect
        rule, :data:`UNIT_DEFECT_MPGE`; "" otherwise), ``energy_audit_residual`` [-].
    excluded : DataFrame — rows removed by the plausibility screen, same columns plus
        ``reason`` (their prediction is given when the rated power allowed one).
    summary : dict — ``n``, ``mape_percent``, ``bias_percent``, ``max_abs_error_percent`` over
        ``rows``; ``n_excluded``; ``by_cycle`` (the same per cycle); ``max_energy_audit_residual``.
    defaults : GenericDefaults — the generic defaults used.
    source : str — the file.
    """

    rows: pd.DataFrame
    excluded: pd.DataFrame
    summary: dict[str, Any]
    defaults: GenericDefaults
    source: str

    def to_pandas(self) -> pd.DataFrame:
        """The compared rows."""
        return self.rows.copy()

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready object: the summary keys, ``rows``, ``excluded``, ``screen``,
        ``parameters`` (the generic defaults, SI) and ``source``."""
        lo, hi = SCREEN_WH_PER_KM
        out = {k: json_value(v) for k, v in self.summary.items() if k != "by_cycle"}
        out["by_cycle"] = {c: {k: json_value(v) for k, v in s.items()}
                           for c, s in self.summary.get("by_cycle", {}).items()}
        out["source"] = self.source
        out["screen"] = (f"excluded: rated power < {SCREEN_MIN_RATED_HP:g} hp, measured "
                         f"consumption outside {lo:g}-{hi:g} Wh/km, or a documented record "
                         f"defect ({RECORD_DEFECTS_FILE.name})")
        out["parameters"] = {k: json_value(v) for k, v in asdict(self.defaults).items()}
        out["fitted_parameters"] = list(FITTED_PARAMETERS)
        out["rows"] = _records(self.rows)
        out["excluded"] = _records(self.excluded)
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as one JSON object (NaN written as null)."""
        return json.dumps(self.to_dict(), indent=indent)


def validate_epa_testcar(path: str | Path = EPA_TESTCAR_FILE,
                         defaults: GenericDefaults = CALIBRATED) -> ValidationResult:
    """Compare Skateboard's EPA unadjusted AC consumption with an EPA test-car file.

    Parameters
    ----------
    path : a CSV file in the format of the bundled ``epa_2022_bev_calibration.csv``
        (default: that file).
    defaults : the generic defaults (default: the calibrated ones).

    Returns
    -------
    ValidationResult
    """
    table = read_epa_testcar(path)
    inputs = table[["line", *INPUT_COLUMNS, "layout"]]
    pred = predict_epa_testcar(inputs, defaults)
    full = table.copy()
    for c in pred.columns:
        full[c] = pred[c].to_numpy()
    full["error_percent"] = (full["predicted_wh_per_km_ac"] / full[MEASURED_COLUMN] - 1.0) * 100.0
    reasons = screen(full)
    cols = ROW_COLUMNS + ["energy_audit_residual"]
    rows = full.loc[reasons == "", cols].reset_index(drop=True)
    excluded = full.loc[reasons != "", cols].assign(reason=reasons[reasons != ""]).reset_index(drop=True)
    summary: dict[str, Any] = error_summary(rows["predicted_wh_per_km_ac"], rows[MEASURED_COLUMN])
    summary["n_excluded"] = int(len(excluded))
    summary["by_cycle"] = {c: error_summary(g["predicted_wh_per_km_ac"], g[MEASURED_COLUMN])
                           for c, g in rows.groupby("cycle", sort=True)}
    summary["max_energy_audit_residual"] = float(rows["energy_audit_residual"].max()) if len(rows) else math.nan
    summary["n_unit_defects"] = int((full["measured_note"] != "").sum())
    return ValidationResult(rows=rows, excluded=excluded, summary=summary, defaults=defaults,
                            source=str(path))
