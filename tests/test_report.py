"""Tests for skateboard.report.html.write_report and the report plots.

The evaluation is run once for the EU market only (fast path); directory-semantics tests that do
not look at the page replace ``render_html`` with a stub to keep them quick."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from skateboard.errors import SpecError
from skateboard.evaluation import COLUMNS, evaluate
from skateboard.report import html as report_html
from skateboard.report import plots, write_report

FILES = {"results.csv", "results.parquet", "report.html"}


@pytest.fixture(scope="module")
def evaluation():
    return evaluate("hongqi-on-b10", markets=["eu"])


@pytest.fixture(scope="module")
def report_dir(evaluation, tmp_path_factory):
    return write_report(evaluation, tmp_path_factory.mktemp("parent") / "report")


@pytest.fixture(scope="module")
def page(report_dir):
    return (report_dir / "report.html").read_text(encoding="utf-8")


@pytest.fixture
def stub_page(monkeypatch):
    """Make the HTML trivial (directory semantics only)."""
    monkeypatch.setattr(report_html, "render_html", lambda evaluation, started=None: "<html>stub</html>")


def _siblings(path):
    """Everything in the parent of ``path`` except ``path`` (temp or backup leftovers)."""
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def _snapshot(directory):
    return {p.name: p.read_bytes() for p in directory.iterdir()}


# ------------------------------------------------------------------------------ the files

def test_report_directory_has_the_three_files(report_dir):
    assert {p.name for p in report_dir.iterdir()} == FILES
    assert _siblings(report_dir) == []  # no temporary directory left beside it
    for name in FILES:
        assert (report_dir / name).stat().st_size > 0


def test_csv_and_parquet_round_trip(report_dir, evaluation):
    csv = pd.read_csv(report_dir / "results.csv")
    assert len(csv) == len(evaluation.table) == 3  # 3 variants x 1 market
    assert list(csv.columns) == COLUMNS
    assert list(csv["variant"]) == list(evaluation.table["variant"])
    np.testing.assert_allclose(csv["range_km"], evaluation.table["range_km"], rtol=1e-12)
    pq = pd.read_parquet(report_dir / "results.parquet")
    assert len(pq) == len(evaluation.table)
    assert list(pq.columns) == COLUMNS


# ------------------------------------------------------------------------------ the page

def test_html_is_self_contained(page):
    assert not re.search(r"https?://", page, re.IGNORECASE)
    assert not re.search(r"<script\b", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"""\b(src|href)\s*=\s*["'](?!data:)""", page, re.IGNORECASE)


def test_html_has_embedded_plots(page, evaluation):
    images = re.findall(r'<img\b[^>]*\bsrc="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    n_plots = len(images) + len(re.findall(r"<svg\b", page))
    n_variants = evaluation.table["variant"].nunique()
    n_erev = int((evaluation.table.drop_duplicates("variant")["powertrain"] == "EREV").sum())
    # range, breakdown, charging, one SOC plot per EREV; speed traces only where a variant
    # misses the trace (none of the bundled ones does over WLTC 3b)
    assert n_plots >= 4 and n_variants == 3
    assert len(images) == 3 + n_erev
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_has_table_title_run_time_and_how_to_read(page, evaluation):
    prog = evaluation.program
    assert f"<title>{prog.title}" in page
    assert prog.name in page
    assert "How to read" in page
    assert "Wh/km" in page or "watt-hours per kilometre" in page
    assert re.search(r"evaluation \d+\.\d\d s", page)
    results = page[page.index("<h3>Homologation"):]
    body = results[results.index("<tbody>"):results.index("</tbody>")]
    assert body.count("<tr>") == len(evaluation.table)
    for name in evaluation.table["variant"]:
        assert f"<td>{name}</td>" in page
    # all bundled variants follow WLTC 3b: one line says so instead of three plots
    assert "No trace misses over one wltc_class3b for leapmotor-b10, hongqi-b10-bev" in page
    # the page leads with the pass/fail matrix, then the inputs, then the results
    assert page.index("Targets: variant") < page.index("Inputs used") < page.index("<h3>Homologation")


def test_targets_are_coloured_and_text_escaped(evaluation):
    table = evaluation.table.copy()
    table["targets_met"] = [True, False, None]
    table.loc[1, "targets_failed"] = "range_km 426 < 450 <b>"
    html = report_html.results_table_html(table)
    assert html.count('<span class="pass">pass</span>') == 1
    assert html.count('<span class="fail">FAIL</span>') == 1
    assert "None" not in html and "nan" not in html.lower()
    assert "range_km 426 &lt; 450 &lt;b&gt;" in html
    assert "<b>" not in html


# ------------------------------------------------------------------------------ never overwrite

def test_existing_directory_is_refused_and_untouched(evaluation, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sentinel.txt").write_text("keep me\n")
    before = _snapshot(out)
    with pytest.raises(SpecError) as err:
        write_report(evaluation, out)
    assert err.value.field == "--out"
    assert err.value.value == str(out)
    assert "not overwritten" in str(err.value) and "--force" in str(err.value)
    assert _snapshot(out) == before
    assert (out / "sentinel.txt").read_text() == "keep me\n"
    assert _siblings(out) == []


def test_force_replaces_existing_directory(evaluation, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sentinel.txt").write_text("old\n")
    (out / "sub").mkdir()
    (out / "sub" / "x.txt").write_text("old\n")
    assert write_report(evaluation, out, force=True) == out.absolute()
    assert {p.name for p in out.iterdir()} == FILES
    assert len(pd.read_csv(out / "results.csv")) == len(evaluation.table)
    assert "<img" in (out / "report.html").read_text(encoding="utf-8")
    assert _siblings(out) == []  # neither the temporary nor the old directory remains


def test_empty_existing_directory_is_used(evaluation, tmp_path, stub_page):
    out = tmp_path / "empty"
    out.mkdir()
    write_report(evaluation, out)
    assert {p.name for p in out.iterdir()} == FILES
    assert _siblings(out) == []


def test_missing_parents_are_created(evaluation, tmp_path, stub_page):
    out = tmp_path / "a" / "b" / "report"
    write_report(evaluation, out)
    assert {p.name for p in out.iterdir()} == FILES


def test_existing_file_is_refused_even_with_force(evaluation, tmp_path, stub_page):
    out = tmp_path / "report"
    out.write_text("a file\n")
    for force in (False, True):
        with pytest.raises(SpecError):
            write_report(evaluation, out, force=force)
        assert out.read_text() == "a file\n"
    assert _siblings(out) == []


def test_failure_leaves_nothing_behind(evaluation, tmp_path, monkeypatch):
    def boom(evaluation, started=None):
        raise RuntimeError("plot failed")

    monkeypatch.setattr(report_html, "render_html", boom)
    out = tmp_path / "new"
    with pytest.raises(RuntimeError):
        write_report(evaluation, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []

    old = tmp_path / "old"
    old.mkdir()
    (old / "sentinel.txt").write_text("keep me\n")
    with pytest.raises(RuntimeError):
        write_report(evaluation, old, force=True)  # the old directory survives a failed replace
    assert _snapshot(old) == {"sentinel.txt": b"keep me\n"}
    assert _siblings(old) == []


def test_failed_move_restores_old_directory(evaluation, tmp_path, monkeypatch, stub_page):
    old = tmp_path / "old"
    old.mkdir()
    (old / "sentinel.txt").write_text("keep me\n")
    real_replace = report_html.os.replace

    def flaky_replace(src, dst):
        if str(dst) == str(old) and str(src).endswith(".tmp"):  # moving the new report in fails
            raise OSError("simulated failure")
        return real_replace(src, dst)

    monkeypatch.setattr(report_html.os, "replace", flaky_replace)
    with pytest.raises(SpecError, match="--out: cannot write the report: simulated failure"):
        write_report(evaluation, old, force=True)
    monkeypatch.undo()
    assert _snapshot(old) == {"sentinel.txt": b"keep me\n"}
    assert _siblings(old) == []


def test_force_refuses_working_directory(evaluation, tmp_path, monkeypatch, stub_page):
    (tmp_path / "sentinel.txt").write_text("keep me\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError):
        write_report(evaluation, ".", force=True)
    assert (tmp_path / "sentinel.txt").read_text() == "keep me\n"


# ------------------------------------------------------------------------------ plots

def _trace(dip: bool) -> pd.DataFrame:
    t = np.arange(0.0, 101.0)
    target = np.minimum(t, 50.0)
    speed = target.copy()
    if dip:
        speed[60:70] -= 5.0
    return pd.DataFrame({"time_s": t, "speed_kmh": speed, "target_speed_kmh": target})


def test_speed_trace_marks_misses():
    assert plots.trace_misses(_trace(True)).sum() == 10
    assert plots.trace_misses(_trace(False)).sum() == 0
    fig = plots.plot_speed_trace("v", _trace(True))
    ax = fig.axes[0]
    assert "10 steps of trace misses" in ax.get_title()
    assert len(ax.collections) == 1 and len(ax.collections[0].get_offsets()) == 10
    assert ax.get_xlabel() == "time [s]" and ax.get_ylabel() == "speed [km/h]"
    fig = plots.plot_speed_trace("v", _trace(False))
    assert "no trace misses" in fig.axes[0].get_title()
    assert len(fig.axes[0].collections) == 0


def test_breakdown_stack_sums_to_battery_energy(evaluation):
    data = plots.energy_breakdown(evaluation.program.variants)
    sinks = [c for c in data.columns if c.endswith("_wh_per_km") and c != "energy_regen_wh_per_km"]
    from skateboard.cycles import load_cycle
    from skateboard.engine import simulate

    res = simulate(evaluation.program.variants, load_cycle(plots.CYCLE)).to_pandas()
    chem = res["energy_battery_chem_j"].to_numpy() / 3600.0 / res["distance_km"].to_numpy()
    np.testing.assert_allclose(data[sinks].sum(axis=1).to_numpy(), chem, rtol=1e-9)
    assert (data["energy_regen_wh_per_km"] > 0).all()


def test_every_plot_has_title_labels_and_legend(evaluation):
    figs = [plots.plot_range(evaluation), plots.plot_consumption_breakdown(evaluation.program.variants)]
    figs += [plots.plot_erev_operation(v) for v in evaluation.program.variants if v.powertrain == "EREV"]
    for fig in figs:
        axes = [ax for ax in fig.axes]
        assert fig.get_suptitle() or all(ax.get_title() for ax in axes)
        for ax in axes:
            assert re.search(r"\[.+\]", ax.get_ylabel()), ax.get_ylabel()
            assert ax.get_legend() is not None
        assert any(ax.get_xlabel() for ax in axes)
