"""Regenerate the references of the bundled program (review the diffs before committing them):

- tests/data/evaluate_reference.csv: the regression reference, 6 significant digits, checked
  with physics tolerances by tests/test_bundled.py;
- tests/data/kernel_reference.csv (17 digits: every bit) and kernel_reference.json (the software
  and CPU it was computed on), checked to 1e-12 relative by tests/test_kernel_reference.py on
  the same software and CPU (issue #20: a kernel optimisation must not change results)."""

import json
from pathlib import Path

from skateboard.evaluation import evaluate

if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_kernel_reference import fingerprint

    data = Path(__file__).parent / "data"
    table = evaluate("hongqi-on-b10").table
    table.to_csv(data / "evaluate_reference.csv", index=False, float_format="%.6g")
    table.to_csv(data / "kernel_reference.csv", index=False, float_format="%.17g")
    (data / "kernel_reference.json").write_text(json.dumps(fingerprint(), indent=1) + "\n")
    print(f"wrote {data / 'evaluate_reference.csv'}, kernel_reference.csv and kernel_reference.json")
