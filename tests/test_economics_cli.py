"""``skateboard economics`` as a user runs it: JSON keys, report files, one-line errors (exit 2);
and the economics columns of a sweep."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ROOT / "src" / "skateboard" / "data" / "programs" / "hongqi-on-b10.toml"


def run(*args, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SKATEBOARD_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "skateboard.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd or ROOT, timeout=900)


ROW_KEYS = {"variant", "market", "powertrain", "currency", "cost_total", "cost_pack", "cost_drive",
            "cost_range_extender", "cost_top_hat", "platform_cost_share", "ex_works_cost",
            "shipping_cost", "import_duty", "landed_cost", "compliance_value", "price",
            "margin_per_vehicle", "volume"}
CASE_KEYS = {"npv_license", "npv_own_platform", "npv_difference", "irr_license",
             "break_even_volume", "payback_year_license", "months_earlier"}


def test_economics_json_keys_and_report(tmp_path):
    out = tmp_path / "report"
    r = run("economics", "--json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert ROW_KEYS <= set(data["rows"][0])
    assert CASE_KEYS <= set(data["business_case"])
    case = data["business_case"]
    assert case["npv_difference"] == pytest.approx(case["npv_license"] - case["npv_own_platform"])
    assert len(case["most_sensitive_drivers"]) == 3
    rows = [x for x in data["rows"] if x["landed_cost"] is not None]
    assert all(x["landed_cost"] >= x["ex_works_cost"] for x in rows)
    for name in ("economics.csv", "economics.parquet", "business_case.json", "report.html"):
        assert (out / name).is_file()
    page = (out / "report.html").read_text()
    for section in ("Cost waterfall", "Licence vs own platform", "Sensitivity", "Commonality"):
        assert section in page
    # README's excerpt is this run's output
    readme = (ROOT / "README.md").read_text().split("## Economics", 1)[1].split("## ", 1)[0]
    for key in ("npv_license", "npv_own_platform", "break_even_volume"):
        shown = float(readme.split(f"{key}: ", 1)[1].split()[0].replace(",", ""))
        assert shown == pytest.approx(case[key], abs=1.0)
    again = run("economics", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr


def _program_with(tmp_path, old, new):
    text = PROGRAM.read_text()
    assert old in text
    text = text.replace(old, new)
    # derivatives by bundled name, so the copied program resolves them
    path = tmp_path / "program.toml"
    path.write_text(text)
    return path


def _book(tmp_path, body):
    path = tmp_path / "book.toml"
    path.write_text(body)
    return path


@pytest.mark.parametrize("case, fragment", [
    ("currency", "unknown currency"),
    ("no_unit", "lines.gearbox.unit: missing required field"),
    ("negative_volume", "a volume must not be negative"),
    ("price_year", "price year outside the price index's range"),
    ("no_rule", "no compliance rule"),
    ("production_year", "production year outside the pack curve's range"),
])
def test_bad_economics_input_one_line_exit_2(tmp_path, case, fragment):
    args = ["economics"]
    if case == "currency":
        args.append(str(_program_with(tmp_path, 'currency = "EUR"', 'currency = "EUX"')))
    elif case == "negative_volume":
        args.append(str(_program_with(tmp_path, "eu = [500, 4000, 6000", "eu = [-500, 4000, 6000")))
    elif case == "no_rule":
        args.append(str(_program_with(tmp_path, 'plant = "hangzhou"',
                                      'plant = "hangzhou"\ncredit_prices = { gulf = "10 EUR" }')))
    elif case == "no_unit":
        args += ["--costs", str(_book(tmp_path, '[lines.gearbox]\nvalue = 300\nsource = "quote"\n'))]
    elif case == "price_year":
        args += ["--costs", str(_book(tmp_path, '[lines.gearbox]\nunit = "USD"\nvalue = 300\n'
                                      'price_year = 1990\nsource = "quote"\n'))]
    elif case == "production_year":
        args += ["--costs", str(_book(tmp_path, "production_year = 2040\n"))]
    r = run(*args)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    lines = [x for x in r.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert fragment in lines[0]


def test_user_cost_book_overrides_a_line(tmp_path):
    from skateboard.economics.costbook import load_cost_book

    book = load_cost_book(_book(tmp_path, '[lines.gearbox]\nunit = "EUR"\nvalue = 500\n'
                                'price_year = 2024\nsource = "supplier quote"\n'))
    assert book.lines["gearbox"].value == 500 and book.lines["gearbox"].currency == "EUR"
    assert book.lines["inverter"].value == 1.26                # the rest stays bundled


def test_sweep_has_economics_columns(tmp_path):
    from skateboard.explore import run_sweep, summarise_sweep

    res = run_sweep("hongqi-on-b10", ['hongqi-b10-bev.top_hat.curb_mass="1.75 t".."1.85 t":3'],
                    markets=["eu", "uk"], out=tmp_path / "s", chunk_size=2)
    df = res.to_pandas()
    for col in ("cost_total", "cost_pack", "cost_top_hat", "platform_cost_share", "eu_landed_cost",
                "eu_import_duty", "uk_margin_per_vehicle", "eu_compliance_value"):
        assert col in df
    # a heavier top hat costs more (cost-book rate per kg); duty: 30.7 % of CIF in the EU
    assert np.all(np.diff(df["cost_top_hat"].to_numpy()) > 0)
    cif = df["eu_ex_works_cost"] + df["eu_shipping_cost"]
    assert np.allclose(df["eu_import_duty"], 0.307 * cif)
    from skateboard.economics import economics
    rows = economics("hongqi-on-b10", markets=["eu"], sensitivity=False).rows
    base = rows[rows["variant"] == "hongqi-b10-bev"].iloc[0]
    middle = df.iloc[1]                                         # curb mass 1.8 t; the BEV's is 1.785 t
    assert middle["cost_pack"] == pytest.approx(base["cost_pack"])
    s = summarise_sweep(tmp_path / "s", x="min:eu_landed_cost", y="max:eu_range_km")
    assert len(s.front) >= 1
