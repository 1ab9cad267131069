"""Reading an EPA test-car file (validation format or EPA's own list) and the plausibility
screen applied to its rows."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skateboard.errors import SpecError, close_matches
from skateboard.physics.constants import WH_PER_GALLON_EQUIVALENT
from skateboard.validation.epa_list import (
    _MILE_KM,
    _NUMERIC_RANGES,
    CYCLES,
    DRIVE_LAYOUTS,
    EPA_FORMAT_COLUMNS,
    EPA_LIST_CYCLES,
    INPUT_COLUMNS,
    KNOWN_UNREAD_COLUMNS,
    MEASURED_COLUMN,
    RECORD_DEFECTS_FILE,
    REQUIRED_COLUMNS,
    SCREEN_MIN_RATED_HP,
    SCREEN_WH_PER_KM,
    UNIT_DEFECT_MPGE,
    _convert_epa_records,
    is_epa_list_header,
)

# ---------------------------------------------------------------------------------------------
# Reading the EPA test-car file
# ---------------------------------------------------------------------------------------------

def _parse_float(cell: str, line: int, column: str, file: str) -> float:
    text = cell.strip()
    if not text:
        raise SpecError(f"line {line}: missing value", file=file, field=column,
                        allowed=f"a number in {_NUMERIC_RANGES[column][2]}")
    try:
        value = float(text)
    except ValueError:
        raise SpecError(f"line {line}: not a number", file=file, field=column, value=text,
                        allowed=f"a number in {_NUMERIC_RANGES[column][2]}") from None
    lo, hi, unit = _NUMERIC_RANGES[column]
    if not math.isfinite(value) or not lo <= value <= hi:
        raise SpecError(f"line {line}: value out of range", file=file, field=column, value=text,
                        allowed=f"{lo:g} to {hi:g} {unit}")
    return value


def drive_layout(description: str) -> str | None:
    """The layout ("FWD", "RWD" or "AWD") of an EPA drive-system description; None if unknown."""
    return DRIVE_LAYOUTS.get(" ".join(description.strip().lower().split()))


def read_epa_testcar(path: str | Path) -> pd.DataFrame:
    """Read and check an EPA test-car file (the format of ``epa_2022_bev_calibration.csv``).

    Returns one row per record with ``line`` (the file line of the record, header = 1), the
    :data:`REQUIRED_COLUMNS` (numbers as floats, ``cycle`` upper-case) and ``layout``
    ("FWD", "RWD" or "AWD"). Other columns are ignored. Every problem is a
    :class:`~skateboard.errors.SpecError` naming the file, the line and the column.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise SpecError("validation file not found" if not path.exists() else "not a file",
                        file=file, allowed="a CSV file in the EPA test-car format")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            records = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SpecError(f"cannot read the file: {exc}", file=file) from None
    if not records:
        raise SpecError("the file is empty; expected a header line", file=file,
                        allowed=",".join(REQUIRED_COLUMNS))
    header = [c.strip() for c in records[0][1]]
    if is_epa_list_header(header):
        # EPA's own list: its BEV charge-depleting tests, converted (lines stay the file's)
        converted, _ = _convert_epa_records(header, records[1:])
        if not converted:
            raise SpecError("no battery-electric charge-depleting UDDS or highway test in this "
                            "EPA Test Car List file", file=file,
                            allowed="records with test fuel Electricity, no cylinders and test "
                                    "procedure " + " or ".join(repr(k) for k in EPA_LIST_CYCLES))
        header = list(EPA_FORMAT_COLUMNS)
        records = [(1, header)] + converted
    known = REQUIRED_COLUMNS + KNOWN_UNREAD_COLUMNS
    for col in REQUIRED_COLUMNS:
        if col not in header:
            unknown = [h for h in header if h not in known]
            raise SpecError(f"line 1: missing column {col!r}"
                            f"{close_matches(col, unknown) if unknown else ''}", file=file,
                            field=col, allowed="a header with " + ",".join(REQUIRED_COLUMNS))
        if header.count(col) > 1:
            raise SpecError(f"line 1: column {col!r} appears twice", file=file, field=col)
    index = {c: header.index(c) for c in REQUIRED_COLUMNS}
    out: list[dict[str, Any]] = []
    for line, row in records[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SpecError(f"line {line}: expected {len(header)} values, got {len(row)}",
                            file=file, value=",".join(row))
        rec: dict[str, Any] = {"line": line}
        for col in ("make", "model"):
            rec[col] = row[index[col]].strip()
            if not rec[col]:
                raise SpecError(f"line {line}: missing value", file=file, field=col)
        cyc = row[index["cycle"]].strip().upper()
        if cyc not in CYCLES:
            raise SpecError(f"line {line}: unknown cycle", file=file, field="cycle",
                            value=row[index["cycle"]], allowed=", ".join(CYCLES))
        rec["cycle"] = cyc
        rec["drive"] = row[index["drive"]].strip()
        layout = drive_layout(rec["drive"])
        if layout is None:
            raise SpecError(f"line {line}: unknown drive system{close_matches(rec['drive'], DRIVE_LAYOUTS)}",
                            file=file, field="drive", value=rec["drive"],
                            allowed=", ".join(repr(k) for k in DRIVE_LAYOUTS) + " (any case)")
        rec["layout"] = layout
        for col in ("rated_hp", "test_mass_kg", "f0_n", "f1_n_per_mps", "f2_n_per_mps2",
                    MEASURED_COLUMN):
            rec[col] = _parse_float(row[index[col]], line, col, file)
        out.append(rec)
    if not out:
        raise SpecError("no data rows after the header", file=file)
    table = pd.DataFrame(out)
    fix = unit_defects(table)
    table["measured_note"] = ""
    if fix.any():
        kwh_per_100mi = WH_PER_GALLON_EQUIVALENT / (table.loc[fix, MEASURED_COLUMN] * _MILE_KM)
        table.loc[fix, MEASURED_COLUMN] = kwh_per_100mi * 10.0 / _MILE_KM
        table.loc[fix, "measured_note"] = [
            f"listed {v:.1f} MPGe read as {v:.1f} kWh/100 mi (unit defect, UNIT_DEFECT_MPGE)"
            for v in kwh_per_100mi]
    return table


def unit_defects(table: pd.DataFrame) -> pd.Series:
    """Rows whose listed MPGe is a consumption in kWh/100 mi (:data:`UNIT_DEFECT_MPGE`): every
    record of the test vehicle is below the threshold and it has records on both cycles. The
    test vehicle is identified by every input column but the cycle (the measured value is
    compared with the threshold only, never with a prediction)."""
    with np.errstate(divide="ignore"):
        mpge = WH_PER_GALLON_EQUIVALENT / (table[MEASURED_COLUMN].to_numpy(float) * _MILE_KM)
    low = pd.Series(mpge < UNIT_DEFECT_MPGE, index=table.index)
    vehicle = table[[c for c in INPUT_COLUMNS if c != "cycle"]].astype(str).agg("|".join, axis=1)
    out = (low.groupby(vehicle).transform("all")
           & (table["cycle"].groupby(vehicle).transform("nunique") == len(CYCLES)))
    return out



def _record_defects(path: Path = RECORD_DEFECTS_FILE) -> list[dict[str, Any]]:
    """The documented record defects (:data:`RECORD_DEFECTS_FILE`), numbers as floats."""
    with open(path, newline="", encoding="utf-8") as fh:
        out = []
        for rec in csv.DictReader(fh):
            for col in REQUIRED_COLUMNS:
                if col in _NUMERIC_RANGES:
                    rec[col] = float(rec[col])
            out.append(rec)
    return out


def _defect_reasons(table: pd.DataFrame) -> pd.Series:
    """"documented record defect: ..." for rows equal, on every required column, to a record of
    :data:`RECORD_DEFECTS_FILE` (text compared without case, numbers to 1e-9 relative)."""
    reasons = pd.Series("", index=table.index, dtype=object)
    for d in _record_defects():
        hit = np.ones(len(table), dtype=bool)
        for col in REQUIRED_COLUMNS:
            if col in _NUMERIC_RANGES:
                hit &= np.isclose(table[col].to_numpy(float), d[col], rtol=1e-9, atol=0.0)
            else:
                hit &= (table[col].astype(str).str.strip().str.upper()
                        == str(d[col]).strip().upper()).to_numpy()
        reasons[hit] = f"documented record defect: {d['defect']} (evidence in {RECORD_DEFECTS_FILE.name})"
    return reasons


def screen(table: pd.DataFrame) -> pd.Series:
    """Reason for excluding each row ("" when kept): the plausibility screen of the module."""
    lo, hi = SCREEN_WH_PER_KM
    reasons = _defect_reasons(table)
    meas = table[MEASURED_COLUMN]
    bad_meas = (meas < lo) | (meas > hi)
    reasons[bad_meas] = f"measured consumption outside {lo:g}-{hi:g} Wh/km: not a full-test BEV result"
    bad_hp = table["rated_hp"] < SCREEN_MIN_RATED_HP
    reasons[bad_hp] = f"rated power below {SCREEN_MIN_RATED_HP:g} hp: an input error"
    return reasons
