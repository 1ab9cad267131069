"""EPA Test Car List files: the validation format, its plausibility-screen constants, and the
conversion of EPA's own list files (any model year) to that format."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from skateboard.errors import SpecError
from skateboard.physics.constants import MILE, MILE_PER_HOUR, POUND, POUND_FORCE, WH_PER_GALLON_EQUIVALENT

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "validation"
#: The bundled calibration file (US EPA Test Car List MY2022, BEV rows; see its PROVENANCE.md).
EPA_TESTCAR_FILE = DATA_DIR / "epa_2022_bev_calibration.csv"
#: The hold-out file: the other BEV tests of the same list (nothing is fitted on it).
EPA_HOLDOUT_FILE = DATA_DIR / "epa_2022_bev_holdout.csv"
#: Other model years: the BEV tests of EPA's MY2017, MY2018 and MY2019 lists that are not
#: records of the MY2022 list (nothing is fitted on them; see its PROVENANCE.md entry).
EPA_OTHER_YEARS_FILE = DATA_DIR / "epa_2017_2019_bev.csv"
#: Published figures of the bundled vehicles, with sources.
PUBLISHED_FILE = DATA_DIR / "published.toml"

#: One mechanical horsepower [W]: 550 ft lbf/s = 745.699872 W (NIST SP 811, 2008, App. B.8).
#: EPA's rated horsepower is SAE (mechanical) horsepower.
HORSEPOWER = 745.699872

# --- the plausibility screen (see the module docstring) -----------------------------------
#: Rows with a rated power below this [hp] are input errors, not BEVs (the smallest BEV of
#: MY2022 in the list, the Nissan Leaf, is rated 147 hp).
SCREEN_MIN_RATED_HP = 50.0
#: Measured unadjusted AC consumption accepted as a full-test BEV result [Wh/km]. Assumption:
#: 80 Wh/km is below any series BEV on UDDS or HWFET; 400 Wh/km is about twice the heaviest
#: BEV in the list (the Rivian R1T's label figure, adjusted, is about 300 Wh/km).
SCREEN_WH_PER_KM = (80.0, 400.0)
#: Documented record defects: rows of EPA's list whose measured value is shown by an independent
#: source not to be an unadjusted test result (columns: the required columns, ``defect``,
#: ``evidence``). Only the 2022 Bolt EV records so far: their MPGe are the Bolt's adjusted label
#: values (the file gives the evidence).
RECORD_DEFECTS_FILE = DATA_DIR / "record_defects.csv"
#: Unit defect: some makers enter an electricity test's consumption in kWh per 100 miles
#: (EPA's electricity unit) in the list's fuel-economy column, whose unit says MPG (MPGe). A
#: record whose "MPGe" is below this value is read as kWh/100 mi when the same test vehicle's
#: record on the other cycle is below it too (one convention for both records of a vehicle).
#: Why 50: 50 MPGe is 419 Wh/km, above the screen's 400 Wh/km, so no plausible MPGe is
#: reinterpreted; 50 kWh/100 mi is 311 Wh/km, above every unadjusted BEV result in the lists.
#: Evidence (MY2022): the Hyundai Ioniq 5 AWD records give 21.1-22.4 on UDDS and 26.9-27.4 on
#: HWFET; its label is 110 city / 87 highway MPGe (EPA, as quoted by The Courier-Gazette's road
#: review, 2023-04-20), i.e. 30.6 / 38.7 kWh/100 mi adjusted, x 0.7 (EPA's BEV label
#: adjustment, 40 CFR 600.210-12(a)(2)(iii)) = 21.4 / 27.1 kWh/100 mi unadjusted.
#: Records below it whose partner is not (the EQS 450+ highway record, 38.1 beside a UDDS
#: record of 138 MPGe) stay unexplained and are screened out on their measured value.
UNIT_DEFECT_MPGE = 50.0

# --- the file format ------------------------------------------------------------------------
#: Columns read as inputs (SI), and the measured column read for the comparison only.
INPUT_COLUMNS = ("make", "model", "cycle", "drive", "rated_hp", "test_mass_kg", "f0_n",
                 "f1_n_per_mps", "f2_n_per_mps2")
MEASURED_COLUMN = "measured_wh_per_km_ac"
REQUIRED_COLUMNS = INPUT_COLUMNS + (MEASURED_COLUMN,)
#: Columns of the EPA extract that are known but not read: the imperial forms of the same
#: inputs (etw_lb, target_a/b/c), the measured MPGe (the Wh/km column is its SI form) and the
#: test group. Any other column is ignored too.
KNOWN_UNREAD_COLUMNS = ("test_group", "etw_lb", "target_a_lbf", "target_b_lbf_per_mph",
                        "target_c_lbf_per_mph2", "measured_mpge_unadjusted", "model_year")
CYCLES = {"UDDS": "udds", "HWFET": "hwfet"}
#: EPA drive-system descriptions -> layout. "Part-time 4WD" is tested on a four-wheel dyno too.
DRIVE_LAYOUTS = {
    "2-wheel drive, front": "FWD",
    "2-wheel drive, rear": "RWD",
    "all wheel drive": "AWD",
    "4-wheel drive": "AWD",
    "part-time 4-wheel drive": "AWD",
}
#: Plausible ranges of the inputs, to catch unit mistakes (a value outside is a SpecError).
_NUMERIC_RANGES = {
    "rated_hp": (0.0, 3000.0, "hp"),
    "test_mass_kg": (300.0, 10000.0, "kg"),
    "f0_n": (0.0, 2000.0, "N"),
    "f1_n_per_mps": (-100.0, 100.0, "N/(m/s)"),
    "f2_n_per_mps2": (0.0, 5.0, "N/(m/s)^2"),
    MEASURED_COLUMN: (0.0, 10000.0, "Wh/km"),
}


# --- EPA's own Test Car List format ------------------------------------------------------------
#: Columns that mark a file as one of EPA's "Test Car List Data" files as EPA publishes them
#: (one file per model year, all fuels and tests; e.g. ``22-tstcar.csv``). Such a file is
#: converted on reading by :func:`convert_epa_test_car_list` to the validation format.
EPA_LIST_MARKER_COLUMNS = ("Represented Test Veh Make", "RND_ADJ_FE", "Target Coef A (lbf)")
#: EPA test procedures that are the charge-depleting tests of a BEV (SAE J1634 multi-cycle or
#: single-cycle test; EPA reports them per cycle as "UDDS" and "Highway").
EPA_LIST_CYCLES = {"charge depleting udds": "UDDS", "charge depleting highway": "HWFET"}
_MILE_KM = MILE / 1000.0  # km per mile
#: The columns of the validation format, in the order of the bundled files.
EPA_FORMAT_COLUMNS = ("make", "model", "test_group", "cycle", "drive", "rated_hp", "etw_lb",
                      "target_a_lbf", "target_b_lbf_per_mph", "target_c_lbf_per_mph2",
                      "measured_mpge_unadjusted", "test_mass_kg", "f0_n", "f1_n_per_mps",
                      "f2_n_per_mps2", "measured_wh_per_km_ac")
_FORMAT_INDEX = {k: j for j, k in enumerate(EPA_FORMAT_COLUMNS)}


def _fmt(x: float, digits: int) -> str:
    return f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".")


def _is_bev_record(rec: Mapping[str, str]) -> bool:
    """A battery-electric record: tested on electricity with no engine (no cylinders). Plug-in
    hybrids' charge-depleting tests are also run on electricity in some years' lists (e.g.
    MY2018-2019: Volt, 530e, S90 T8), but they carry the engine's cylinder count."""
    cyl = rec.get("# of Cylinders and Rotors", "").strip()
    return (rec.get("Test Fuel Type Description", "").strip().lower() == "electricity"
            and cyl in ("", "0"))


def epa_list_record(rec: Mapping[str, str]) -> tuple[list[str] | None, str]:
    """One record of an EPA Test Car List file in the validation format.

    Returns (row in :data:`EPA_FORMAT_COLUMNS` order, "") for a BEV charge-depleting UDDS or
    highway test, else (None, why it is not one). The measured unadjusted MPGe is the record's
    ``RND_ADJ_FE`` (EPA's rounded unadjusted test result; ``FE_UNIT`` MPG, i.e. MPGe for
    electricity, or a kWh/100 mi unit, converted); a record without one is not a result.
    """
    if not _is_bev_record(rec):
        return None, "not a BEV record"
    cyc = EPA_LIST_CYCLES.get(" ".join(rec.get("Test Procedure Description", "").lower().split()))
    if cyc is None:
        return None, "not a charge-depleting UDDS or highway test"
    fe_text = rec.get("RND_ADJ_FE", "").strip()
    unit = rec.get("FE_UNIT", "").strip().upper().replace(" ", "")
    try:
        fe = float(fe_text)
    except ValueError:
        return None, "no measured fuel economy"
    if not math.isfinite(fe) or fe <= 0.0:
        return None, "no measured fuel economy"
    if "KWH" in unit:  # kWh per 100 miles
        if "100" not in unit:
            return None, f"unknown FE_UNIT {rec.get('FE_UNIT')!r}"
        mpge = WH_PER_GALLON_EQUIVALENT / (fe * 10.0)
        mpge_text = _fmt(mpge, 2)
    elif unit in ("", "MPG", "MPGE"):
        mpge, mpge_text = fe, fe_text
    else:
        return None, f"unknown FE_UNIT {rec.get('FE_UNIT')!r}"
    raw = [rec.get(k, "").strip() for k in ("Equivalent Test Weight (lbs.)", "Target Coef A (lbf)",
                                             "Target Coef B (lbf/mph)", "Target Coef C (lbf/mph**2)")]
    try:
        etw, a, b, c = (float(x) for x in raw)
    except ValueError:
        return None, "missing test weight or road-load coefficient"
    return [rec.get("Represented Test Veh Make", "").strip(),
            rec.get("Represented Test Veh Model", "").strip(),
            rec.get("Actual Tested Testgroup", "").strip(), cyc,
            rec.get("Drive System Description", "").strip(),
            rec.get("Rated Horsepower", "").strip(), *raw, mpge_text,
            _fmt(etw * POUND, 2), _fmt(a * POUND_FORCE, 4),
            _fmt(b * POUND_FORCE / MILE_PER_HOUR, 5), _fmt(c * POUND_FORCE / MILE_PER_HOUR**2, 6),
            _fmt(WH_PER_GALLON_EQUIVALENT / (mpge * _MILE_KM), 2)], ""


def is_epa_list_header(header: Sequence[str]) -> bool:
    """Whether a CSV header is that of an EPA Test Car List file as EPA publishes it."""
    cols = {c.strip() for c in header}
    return all(m in cols for m in EPA_LIST_MARKER_COLUMNS)


def _convert_epa_records(header: Sequence[str], records) -> tuple[list[tuple[int, list[str]]], dict[str, int]]:
    """:func:`epa_list_record` over (line, row) records of an EPA list file with ``header``."""
    rows: list[tuple[int, list[str]]] = []
    skipped: dict[str, int] = {}
    for line, row in records:
        if not any(cell.strip() for cell in row):
            continue
        out, why = epa_list_record(dict(zip(header, row)))
        if out is None:
            skipped[why] = skipped.get(why, 0) + 1
        else:
            rows.append((line, out))
    return rows, skipped


def convert_epa_test_car_list(path: str | Path) -> tuple[list[tuple[int, list[str]]], dict[str, int]]:
    """The BEV charge-depleting UDDS and highway tests of an EPA Test Car List file.

    Returns ([(line of the record in ``path``, row in :data:`EPA_FORMAT_COLUMNS` order)],
    counts of the records left out by reason). Same columns and exact conversions as the
    bundled files (``data/validation/PROVENANCE.md``): run on MY2022's ``22-tstcar.csv`` it
    reproduces every row of ``epa_2022_bev_calibration.csv`` and ``epa_2022_bev_holdout.csv``.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise SpecError("file not found", file=file, allowed="one of EPA's Test Car List files")
    try:
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
            reader = csv.reader(fh)
            header = [c.strip() for c in next(reader, [])]
            if not is_epa_list_header(header):
                raise SpecError("not an EPA Test Car List file", file=file,
                                allowed="a header with " + ", ".join(EPA_LIST_MARKER_COLUMNS))
            return _convert_epa_records(header, ((reader.line_num, row) for row in reader))
    except (OSError, csv.Error) as exc:
        raise SpecError(f"cannot read the file: {exc}", file=file) from None


def _extract_key(r: Sequence[str]) -> tuple:
    """What identifies a record of the validation format for ``--exclude``: model, test group,
    cycle, test weight, A, B, C and MPGe (in :data:`EPA_FORMAT_COLUMNS` order)."""
    i = _FORMAT_INDEX
    return (r[i["model"]], r[i["test_group"]], r[i["cycle"]],
            *(float(r[i[k]]) for k in ("etw_lb", "target_a_lbf", "target_b_lbf_per_mph",
                                       "target_c_lbf_per_mph2", "measured_mpge_unadjusted")))


def write_epa_extract(source: str | Path, out: str | Path,
                      exclude: str | Path | None = None) -> tuple[int, int]:
    """Write the BEV tests of EPA Test Car List file ``source`` to ``out`` in the validation
    format (a new file: never overwritten). With ``exclude``, the rows of another file in the
    validation format (same model, test group, cycle, test weight, A, B, C and MPGe) are left
    out, so the output is disjoint from it (how the bundled hold-out was made). Returns (BEV
    tests found, rows written)."""
    from skateboard.report.files import write_table_safely

    if Path(out).exists():
        raise SpecError("file exists; not overwritten", field="OUT", value=str(out),
                        allowed="a new file name")
    if exclude is not None and not Path(exclude).is_file():
        raise SpecError("file not found", field="--exclude", value=str(exclude),
                        allowed="a CSV file in the validation format")
    rows, _ = convert_epa_test_car_list(source)
    kept = [r for _, r in rows]
    if exclude is not None:
        with open(exclude, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            head = [c.strip() for c in next(reader, [])]
            missing = [k for k in EPA_FORMAT_COLUMNS if k not in head]
            if missing:
                raise SpecError(f"missing column {missing[0]!r}", file=str(exclude),
                                field=missing[0], allowed="a file in the validation format")
            idx = [head.index(k) for k in EPA_FORMAT_COLUMNS]
            drop = {_extract_key([r[j] for j in idx]) for r in reader if r}
        kept = [r for r in kept if _extract_key(r) not in drop]
    write_table_safely(pd.DataFrame(kept, columns=list(EPA_FORMAT_COLUMNS)), Path(out),
                       field="OUT")
    return len(rows), len(kept)
