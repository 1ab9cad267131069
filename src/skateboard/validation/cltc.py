"""China-market cars against their published CLTC ranges (``data/validation/cltc_published.csv``).

Each row with a usable spec is built and run through the China procedure
(:func:`skateboard.procedures.cltc.run`, GB/T 18386.1-2021 as modelled) and, where the row also
publishes a WLTP range, through WLTP (:func:`skateboard.procedures.wltp.run`):

- rows of a bundled Leapmotor car (:data:`BUNDLED`) run the bundled derivative, with the
  published pack fitted by the same path as ``skateboard validate published``
  (:func:`skateboard.validation.published._variant_with_pack`);
- other BEV rows with curb mass, width x height (or frontal area), pack energy and motor power
  run the generic spec-sheet vehicle of :mod:`skateboard.validation.spec_sheet` (the EPA-calibrated
  generic rules and fixed, documented defaults);
- the rest are listed as not scored, with the reason (missing inputs; range-extended cars that
  are not bundled, whose engine-start SOC and range extender a spec sheet does not give; a
  record whose ``defect`` column names a documented defect, e.g. figures of two versions mixed).

Compared: the CLTC range (the pure-electric range for range-extended cars, which is what China's
procedure reports for them) and, for rows with both, the ratio CLTC range / WLTP range (EAER for
range-extended cars). Nothing is fitted on the file: it is read only to build (spec columns) and
to compare (published columns).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skateboard.errors import SpecError
from skateboard.validation.defaults import CALIBRATED, GenericDefaults
from skateboard.validation.epa_list import DATA_DIR
from skateboard.validation.predict import error_summary
from skateboard.validation.spec_sheet import missing_inputs, spec_sheet_variant

CLTC_FILE = DATA_DIR / "cltc_published.csv"

#: (make, model, version) of a row -> (bundled derivative, pack option or None = its own).
#: Only rows whose pack is the bundled car's: the 2025 China B10 has the EU car's 56.2 and
#: 67.1 kWh packs (PROVENANCE.md); the 2025 C10 the 69.9 kWh pack of ``leapmotor-c10``; the 2024
#: C10 REEV the 28.4 kWh pack of ``leapmotor-c10-reev``.
BUNDLED: dict[tuple[str, str, str], tuple[str, str | None]] = {
    ("Leapmotor", "B10", "2025 67.1 kWh"): ("leapmotor-b10", "67kwh"),
    ("Leapmotor", "B10", "2025 56.2 kWh"): ("leapmotor-b10", "56kwh"),
    ("Leapmotor", "C10", "base"): ("leapmotor-c10", None),
    ("Leapmotor", "C10 REEV", "2024 28.4 kWh"): ("leapmotor-c10-reev", None),
}

ROW_COLUMNS = ["line", "make", "model", "version", "powertrain", "built_from",
               "published_cltc_km", "predicted_cltc_km", "cltc_error_percent",
               "published_wltp_km", "predicted_wltp_km", "published_ratio", "predicted_ratio",
               "ratio_error_percent", "cltc_method"]


def _f(v: Any) -> float:
    try:
        return float(v) if str(v).strip() else math.nan
    except ValueError:
        return math.nan


def read_csv_rows(path: str | Path, required, fmt: str) -> list[dict[str, Any]]:
    """The rows of a validation CSV file as dicts, each with its file ``line``; a
    :class:`SpecError` when the file is absent or lacks a ``required`` column."""
    path = Path(path)
    if not path.is_file():
        raise SpecError("file not found", file=str(path), allowed=f"a CSV file in the format of {fmt}")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        absent = set(required) - set(reader.fieldnames or [])
        if absent:
            raise SpecError("missing required column", file=str(path), field=", ".join(sorted(absent)),
                            allowed=", ".join(required))
        rows = []
        for line, r in enumerate(reader, start=2):
            r["line"] = line
            rows.append(r)
    return rows


REQUIRED = ("make", "model", "version", "powertrain", "cltc_range_km", "cltc_electric_range_km",
            "wltp_range_km")


def read_cltc_file(path: str | Path = CLTC_FILE) -> list[dict[str, Any]]:
    """The rows of a CLTC validation file (the bundled file's columns), with their file line."""
    return read_csv_rows(path, REQUIRED, "cltc_published.csv")


@dataclass
class CltcValidation:
    """Result of :func:`validate_cltc`.

    rows : one row per scored file row (:data:`ROW_COLUMNS`); errors = (predicted / published - 1) x 100.
    skipped : file rows not scored, with ``reason``.
    summary : ``cltc`` (n, MAPE, bias, max over all scored rows), ``cltc_bundled``,
        ``cltc_spec_sheet``, ``ratio`` (rows with a WLTP range), ``ratio_bundled``, ``ratio_spec_sheet``,
        ``wltp`` and ``wltp_spec_sheet`` (the WLTP ranges of the rows with both).
    """

    rows: pd.DataFrame
    skipped: pd.DataFrame
    summary: dict[str, Any]
    source: str


def _published_cltc(r) -> float:
    return _f(r["cltc_electric_range_km"]) if r["powertrain"] == "EREV" else _f(r["cltc_range_km"])


def validate_cltc(path: str | Path = CLTC_FILE, defaults: GenericDefaults = CALIBRATED) -> CltcValidation:
    """Score the CLTC file; see the module docstring."""
    from skateboard.procedures import cltc, wltp
    from skateboard.validation.published import _variant_with_pack

    rows = read_cltc_file(path)
    built, skipped = [], []
    for r in rows:
        key = (r["make"], r["model"], r["version"])
        if not _published_cltc(r) > 0:
            skipped.append({**_ident(r), "reason": "no published CLTC range"})
        elif str(r.get("defect") or "").strip():
            skipped.append({**_ident(r), "reason": "record defect: " + str(r["defect"]).strip()})
        elif key in BUNDLED:
            built.append((r, _variant_with_pack(*BUNDLED[key]), "bundled " + BUNDLED[key][0]))
        elif r["powertrain"] != "BEV":
            skipped.append({**_ident(r), "reason": "range-extended and not bundled: a spec sheet "
                            "gives neither the engine-start SOC nor the range extender"})
        elif missing_inputs(r):
            skipped.append({**_ident(r), "reason": "missing " + "; ".join(missing_inputs(r))})
        else:
            built.append((r, spec_sheet_variant(r, f"line{r['line']}", defaults, str(path)), "spec sheet"))
    variants = [v for _, v, _ in built]
    china = cltc.run(variants) if variants else pd.DataFrame()
    with_wltp = [i for i, (r, _, _) in enumerate(built) if _f(r["wltp_range_km"]) > 0]
    wl = wltp.run([variants[i] for i in with_wltp]) if with_wltp else pd.DataFrame()
    out = []
    for i, (r, v, how) in enumerate(built):
        c = china.iloc[i]
        pred_c = float(c["electric_range_km"])
        pub_c = _published_cltc(r)
        pub_w = _f(r["wltp_range_km"])
        pred_w = math.nan
        if i in with_wltp:
            w = wl.iloc[with_wltp.index(i)]
            pred_w = float(w["electric_range_km"] if v.range_extender is not None else w["range_km"])
        pub_ratio, pred_ratio = pub_c / pub_w, pred_c / pred_w
        out.append({**_ident(r), "built_from": how, "published_cltc_km": pub_c,
                    "predicted_cltc_km": pred_c, "cltc_error_percent": (pred_c / pub_c - 1) * 100,
                    "published_wltp_km": pub_w, "predicted_wltp_km": pred_w,
                    "published_ratio": pub_ratio, "predicted_ratio": pred_ratio,
                    "ratio_error_percent": (pred_ratio / pub_ratio - 1) * 100,
                    "cltc_method": c["method"]})
    df = pd.DataFrame(out, columns=ROW_COLUMNS)
    return CltcValidation(df, pd.DataFrame(skipped, columns=["line", "make", "model", "version",
                                                             "powertrain", "reason"]),
                          summarise(df), str(path))


def _ident(r) -> dict[str, Any]:
    return {"line": r["line"], "make": r["make"], "model": r["model"], "version": r["version"],
            "powertrain": r["powertrain"]}


def summarise(df: pd.DataFrame) -> dict[str, Any]:
    """Error summaries (:func:`skateboard.validation.error_summary`) of a :class:`CltcValidation`'s rows."""
    bundled = df["built_from"].str.startswith("bundled")
    has_ratio = np.isfinite(df["predicted_ratio"].to_numpy(float))
    s = {}
    for name, sel in (("cltc", slice(None)), ("cltc_bundled", bundled), ("cltc_spec_sheet", ~bundled)):
        part = df.loc[sel]
        s[name] = error_summary(part["predicted_cltc_km"], part["published_cltc_km"])
    for name, sel in (("ratio", has_ratio), ("ratio_bundled", has_ratio & bundled),
                      ("ratio_spec_sheet", has_ratio & ~bundled)):
        part = df.loc[sel]
        s[name] = error_summary(part["predicted_ratio"], part["published_ratio"])
    # the WLTP ranges of the same rows: the ratio's other half
    for name, sel in (("wltp", has_ratio), ("wltp_spec_sheet", has_ratio & ~bundled)):
        part = df.loc[sel]
        s[name] = error_summary(part["predicted_wltp_km"], part["published_wltp_km"])
    return s
