"""Extract the BEV rows of an EPA Test Car List file into Skateboard's validation format.

Usage::

    python benchmarks/extract_epa_testcar.py TSTCAR.csv OUT.csv [--exclude BUNDLED.csv]

The same as ``skateboard validate epa-extract TSTCAR.csv OUT.csv [--exclude BUNDLED.csv]``; both
call :func:`skateboard.validation.write_epa_extract` (the selection rules and conversions are
documented there and in ``src/skateboard/data/validation/PROVENANCE.md``). TSTCAR.csv is one of
EPA's "Test Car List Data" files (e.g. ``22-tstcar.csv`` as shipped in the FASTSim 2.1.5 wheel,
``fastsim/resources/epa_vehdb/``; ``pip download fastsim==2.1.5 --no-deps`` and unzip). With
``--exclude`` the rows of another file in the same format are left out, so the output is a
hold-out set disjoint from it.

Re-running it on ``22-tstcar.csv`` without ``--exclude`` reproduces every row of the bundled
``epa_2022_bev_calibration.csv`` (same values); with ``--exclude`` it gives the bundled
``epa_2022_bev_holdout.csv`` (tests/test_validation.py checks both on a synthetic list).
"""

from __future__ import annotations

import argparse
import sys

from skateboard.validation import write_epa_extract


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tstcar")
    ap.add_argument("out")
    ap.add_argument("--exclude", help="a file in the output format whose rows are left out")
    args = ap.parse_args(argv)
    found, written = write_epa_extract(args.tstcar, args.out, args.exclude)
    print(f"{found} BEV charge-depleting records, {written} written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
