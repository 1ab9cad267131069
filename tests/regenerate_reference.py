"""Regenerate tests/data/evaluate_reference.csv (review the diff before committing it)."""

from pathlib import Path

from skateboard.evaluation import evaluate

if __name__ == "__main__":
    out = Path(__file__).parent / "data" / "evaluate_reference.csv"
    evaluate("hongqi-on-b10").table.to_csv(out, index=False, float_format="%.6g")
    print(f"wrote {out}")
