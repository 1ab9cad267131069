"""Extract the BEV rows of an EPA Test Car List file into Skateboard's validation format.

Usage::

    python benchmarks/extract_epa_testcar.py TSTCAR.csv OUT.csv [--exclude BUNDLED.csv]

TSTCAR.csv is one of EPA's "Test Car List Data" files (e.g. ``22-tstcar.csv`` as shipped in the
FASTSim 2.1.5 wheel, ``fastsim/resources/epa_vehdb/``; ``pip download fastsim==2.1.5 --no-deps``
and unzip). Kept: the rows with test fuel "Electricity" and test procedure "Charge Depleting UDDS"
or "Charge Depleting Highway" (EPA runs BEVs as charge-depleting multi-cycle tests; the
20 degree F FTP and the 2-cycle conventional records are other tests). Columns and SI conversions
as in ``src/skateboard/data/validation/PROVENANCE.md``; the measured unadjusted MPGe is the
record's ``RND_ADJ_FE`` (EPA's rounded, unadjusted test result). Rows whose MPGe is empty are
dropped. With ``--exclude`` the rows of another file in the same format (same model, test group,
cycle, ETW, A, B, C and MPGe) are left out, so the output is a hold-out set disjoint from it.

Re-running it on ``22-tstcar.csv`` without ``--exclude`` reproduces every row of the bundled
``epa_2022_bev_calibration.csv`` (checked: identical values); with ``--exclude`` it gives the
bundled ``epa_2022_bev_holdout.csv``.
"""

from __future__ import annotations

import argparse
import csv
import sys

LBF = 4.4482216152605      # N per lbf (exact)
MPH = 0.44704              # m/s per mph (exact)
LB = 0.45359237            # kg per lb (exact)
MILE = 1.609344            # km per mile (exact)
WH_PER_GALLON_EQ = 33705.0  # 40 CFR 600.002

HEADER = ["make", "model", "test_group", "cycle", "drive", "rated_hp", "etw_lb", "target_a_lbf",
          "target_b_lbf_per_mph", "target_c_lbf_per_mph2", "measured_mpge_unadjusted",
          "test_mass_kg", "f0_n", "f1_n_per_mps", "f2_n_per_mps2", "measured_wh_per_km_ac"]
CYCLE = {"Charge Depleting UDDS": "UDDS", "Charge Depleting Highway": "HWFET"}


def _g(x: float, digits: int) -> str:
    return f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".")


def convert(rec: dict[str, str]) -> list[str] | None:
    if rec["Test Fuel Type Description"].strip() != "Electricity":
        return None
    cyc = CYCLE.get(rec["Test Procedure Description"].strip())
    mpge = rec["RND_ADJ_FE"].strip()
    if cyc is None or not mpge:
        return None
    a, b, c = (rec[k].strip() for k in ("Target Coef A (lbf)", "Target Coef B (lbf/mph)",
                                         "Target Coef C (lbf/mph**2)"))
    etw = rec["Equivalent Test Weight (lbs.)"].strip()
    return [rec["Represented Test Veh Make"].strip(), rec["Represented Test Veh Model"].strip(),
            rec["Actual Tested Testgroup"].strip(), cyc, rec["Drive System Description"].strip(),
            rec["Rated Horsepower"].strip(), etw, a, b, c, mpge,
            _g(float(etw) * LB, 2), _g(float(a) * LBF, 4), _g(float(b) * LBF / MPH, 5),
            _g(float(c) * LBF / MPH**2, 6), _g(WH_PER_GALLON_EQ / (float(mpge) * MILE), 2)]


def _key(row: list[str]) -> tuple:
    i = {k: j for j, k in enumerate(HEADER)}
    return (row[i["model"]], row[i["test_group"]], row[i["cycle"]],
            *(float(row[i[k]]) for k in ("etw_lb", "target_a_lbf", "target_b_lbf_per_mph",
                                         "target_c_lbf_per_mph2", "measured_mpge_unadjusted")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tstcar")
    ap.add_argument("out")
    ap.add_argument("--exclude", help="a file in the output format whose rows are left out")
    args = ap.parse_args(argv)
    with open(args.tstcar, newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in (convert(rec) for rec in csv.DictReader(fh)) if r is not None]
    n_all = len(rows)
    if args.exclude:
        with open(args.exclude, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            head = next(reader)
            idx = [head.index(k) for k in HEADER]
            drop = {_key([r[j] for j in idx]) for r in reader if r}
        rows = [r for r in rows if _key(r) not in drop]
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    print(f"{n_all} BEV charge-depleting records, {len(rows)} written to {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
