"""skateboard.table.Table gives the DataFrames pandas builds from the same rows, and a
``skateboard evaluate --json`` needs neither pandas nor pint."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from skateboard.table import Table

ROOT = Path(__file__).resolve().parents[1]

KEYS = ["variant", "range_km", "fuel_l", "method", "phases"]
VALUE = {"variant": st.text(min_size=1, max_size=4), "method": st.sampled_from(["STP", "CCP"]),
         "range_km": st.floats(allow_nan=True, allow_infinity=False),
         "fuel_l": st.floats(0, 100), "phases": st.lists(st.floats(0, 10), max_size=3)}
ROW = st.lists(st.sampled_from(KEYS), min_size=1, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({k: VALUE[k] for k in keys}))


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=6))
def test_records_give_the_dataframe_pandas_builds(rows):
    pd.testing.assert_frame_equal(Table.from_records(rows).to_pandas(), pd.DataFrame(rows))
    back = Table.from_records(rows).records()
    assert [{k: v for k, v in r.items() if k in row} for r, row in zip(back, rows)] == rows


def test_stack_and_set_rows_equal_concat_and_loc():
    a = Table({"variant": ["a", "c"], "range_km": np.array([400.0, 380.0]),
               "ube": np.array([60.0, 58.0])})
    b = Table({"variant": ["b"], "range_km": np.array([390.0]), "n_cycles": np.array([9])})
    got = Table.stack([([0, 2], a), ([1], b)], 3)
    da, db = a.to_pandas(), b.to_pandas()
    da.index, db.index = [0, 2], [1]
    want = pd.concat([da, db]).sort_index().reset_index(drop=True)
    pd.testing.assert_frame_equal(got.to_pandas(), want)
    got.set_rows("range_km", [1], [10.0])
    got.set_rows("cs_test_mass_kg", [0, 2], [1900.0, 1950.0])
    want.loc[[1], "range_km"] = 10.0
    want.loc[[0, 2], "cs_test_mass_kg"] = [1900.0, 1950.0]
    pd.testing.assert_frame_equal(got.to_pandas(), want)


def test_evaluate_json_imports_neither_pandas_nor_pint(tmp_path):
    code = ("import contextlib, io, sys\n"
            "sys.argv = ['skateboard', 'evaluate', '--json']\n"
            "from skateboard.cli import _run\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    assert _run() == 0\n"
            "import json; rows = json.loads(out.getvalue())\n"
            "print(len(rows), 'pandas' in sys.modules, 'pint' in sys.modules)\n")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path), PYTHONPATH=str(ROOT / "src"))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, timeout=600) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    n, pandas_1, pint_1 = runs[0].stdout.split()
    assert int(n) > 0 and pandas_1 == "False" and pint_1 == "True"   # pint: the memo's first run
    assert runs[1].stdout.split() == [n, "False", "False"]

