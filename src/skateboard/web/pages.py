"""The pages: rendered on the server (Jinja2, autoescaped), updated in place with HTMX, charts
drawn by Plotly.js from JSON the templates embed (``static/app.js``). Every figure comes from
the service (and so from the Python API); nothing is computed here but differences of rows."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from skateboard.errors import SpecError
from skateboard.jsonsafe import json_records, short_number
from skateboard.web.edits import EDITABLE, apply_edits, to_toml
from skateboard.web.workspace import Conflict, check_name, parse_toml

HERE = Path(__file__).resolve().parent  # the package folder (templates/)

router = APIRouter()
templates = Jinja2Templates(directory=str(HERE / "templates"))
CLIMATE_RE = re.compile(r"^range_(minus)?(\d+)c_km$")
#: Columns compared against the baseline on the edit page, when the table has them.
DELTA_COLUMNS = ("range_km", "electric_range_km", "consumption_wh_per_km",
                 "consumption_ac_wh_per_km", "fuel_l_per_100km")
DEFAULT_PROGRAM = "hongqi-on-b10"


def fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, bool):
        return "pass" if v else "FAIL"
    if isinstance(v, float):
        return short_number(v)
    return str(v)


templates.env.filters["fmt"] = fmt


def _svc(request: Request):
    return request.app.state.service


def _page(request: Request, template: str, **ctx) -> HTMLResponse:
    return templates.TemplateResponse(request, template, ctx)


async def _baseline(svc, program: str, charts: bool = True) -> dict:
    """The unedited program's evaluation (cached per program file version)."""
    path, _ = svc.program_path(program)
    files = [path] + [p for kind in ("derivative", "platform")
                      for p in sorted(svc.ws.folder(kind).glob("*.toml"))]
    key = (program, tuple(p.stat().st_mtime_ns for p in files), charts)
    cache = svc.baselines
    rid = cache.get(key)
    if rid in svc.results and "charts" in svc.results[rid]:
        return svc.results[rid]
    out = await svc.evaluate(program, charts=charts)
    entry = svc.results[out["result_id"]]
    entry["charts"] = _charts(out["evaluation"].table, out.get("sinks"), out.get("traces"))
    entry["sinks"], entry["traces"] = out.get("sinks") or [], out.get("traces") or {}
    entry["result_id"] = out["result_id"]
    cache[key] = out["result_id"]
    return entry


def _charts(table, sinks, traces) -> dict:
    rows = json_records(table)
    variants = list(dict.fromkeys(table["variant"]))
    markets = list(dict.fromkeys(table["market"]))
    climate = sorted((c for c in table.columns if CLIMATE_RE.match(c)),
                     key=lambda c: (-1 if CLIMATE_RE.match(c).group(1) else 1)
                     * int(CLIMATE_RE.match(c).group(2)))
    range_col = "range_km" if "range_km" in table else None
    charts: dict[str, Any] = {"variants": variants, "markets": markets}
    if range_col:
        charts["range"] = [{"name": v, "x": markets,
                            "y": [next((r[range_col] for r in rows if r["variant"] == v
                                        and r["market"] == m), None) for m in markets]}
                           for v in variants]
    charts["climate"] = [{"name": v, "x": [c.replace("range_", "").replace("_km", "")
                                           .replace("minus", "−") for c in climate],
                          "y": [max((r[c] for r in rows if r["variant"] == v and r[c] is not None),
                                    default=None) for c in climate]} for v in variants]
    sinks = sinks or []
    names = sorted({k for s in sinks for k, val in s.items() if k != "variant" and abs(val) > 5e-4})
    charts["sinks"] = [{"name": k, "x": [s["variant"] for s in sinks],
                        "y": [round(s.get(k, 0.0), 4) for s in sinks]} for k in names]
    charts["traces"] = traces or {}
    return charts


def _filter(table, market: str | None, variant: str | None):
    if market:
        table = table[table["market"] == market]
    if variant:
        table = table[table["variant"] == variant]
    return table


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, program: str | None = None):
    svc = _svc(request)
    progs = svc.programs()
    names = [p["name"] for p in progs]
    program = program or (DEFAULT_PROGRAM if DEFAULT_PROGRAM in names else names[0])
    return _page(request, "overview.html", programs=progs, program=program, page="overview")


@router.get("/ui/overview", response_class=HTMLResponse)
async def overview_part(request: Request, program: str, market: str = "", variant: str = ""):
    svc = _svc(request)
    try:
        entry = await _baseline(svc, program)
    except SpecError as exc:
        return _page(request, "error_part.html", error=exc.one_line())
    table = entry["evaluation"].table
    shown = _filter(table, market, variant)
    return _page(request, "overview_part.html", program=program, table=shown,
                 columns=list(table.columns), rows=json_records(shown), rid=entry["result_id"],
                 markets=list(dict.fromkeys(table["market"])), market=market, variant=variant,
                 variants=list(dict.fromkeys(table["variant"])), charts=entry["charts"],
                 seconds=entry["evaluation"].seconds)


@router.get("/edit", response_class=HTMLResponse)
async def edit(request: Request, program: str = DEFAULT_PROGRAM, variant: str | None = None):
    svc = _svc(request)
    info = await svc.program(program)
    names = [v["name"] for v in info["variants"]]
    variant = variant if variant in names else next((n for n in names if n != info["reference"]),
                                                    names[0])
    v = next(x for x in info["variants"] if x["name"] == variant)
    save_name = f"{variant}-edit" if not variant.endswith("-edit") else variant
    return _page(request, "edit.html", programs=svc.programs(), program=program, info=info,
                 variant=v, editable=EDITABLE, save_name=save_name,
                 base_version=svc.ws.version("derivative", save_name), page="edit")


def _form_edits(form) -> dict[str, str]:
    return {k: str(form[k]) for k in EDITABLE if k in form}


def _delta_rows(edited, base, ref_name: str | None, variant: str) -> list[dict]:
    cols = [c for c in DELTA_COLUMNS if c in edited.columns] + \
        [c for c in edited.columns if c.startswith("co2") and c.endswith("_km")]
    e = edited[edited["variant"] == variant].set_index("market")
    b = base[base["variant"] == variant].set_index("market")
    r = base[base["variant"] == ref_name].set_index("market") if ref_name else None
    out = []
    for market in e.index:
        row = {"market": market, "cells": []}
        for c in cols:
            val = e.loc[market, c]
            old = b.loc[market, c] if market in b.index else float("nan")
            ref = r.loc[market, c] if r is not None and market in r.index else float("nan")
            row["cells"].append({"column": c, "value": val, "delta": val - old,
                                 "vs_reference": val - ref})
        out.append(row)
    return out


@router.post("/ui/edit/evaluate", response_class=HTMLResponse)
async def edit_evaluate(request: Request):
    svc = _svc(request)
    form = await request.form()
    program, variant = str(form.get("program", "")), str(form.get("variant", ""))
    edits = _form_edits(form)
    try:
        base = await _baseline(svc, program)
        base_vals = (await svc.program(program))["variants"]
        original = next((v["values"] for v in base_vals if v["name"] == variant), {})
        changed = {k: v for k, v in edits.items() if v.strip() != original.get(k, "").strip()}
        # only the edited variant runs; the others' rows and charts are the baseline's
        out = await svc.evaluate(program, edits={variant: changed}, variants=[variant],
                                 charts=True)
    except SpecError as exc:
        return _page(request, "edit_part.html", error=exc.one_line(), error_field=exc.field,
                     variant=variant)
    ev = out["evaluation"]
    whole = base["evaluation"].table
    order = {v: i for i, v in enumerate(dict.fromkeys(whole["variant"]))}
    whole = pd.concat([whole[whole["variant"] != variant], ev.table], ignore_index=True)
    whole = whole.sort_values("variant", key=lambda c: c.map(order), kind="stable")
    sinks = [x for x in base["sinks"] if x["variant"] != variant] + (out.get("sinks") or [])
    sinks.sort(key=lambda x: order.get(x["variant"], 99))
    traces = {k: v for k, v in base["traces"].items() if k != variant}
    traces = {variant: out["traces"][variant], **traces}
    svc.results[out["result_id"]]["charts"] = charts = _charts(whole, sinks, traces)
    info_ref = base["evaluation"].program.reference_variant
    return _page(request, "edit_part.html", error=None, error_field=None, variant=variant,
                 rows=json_records(ev.table[ev.table["variant"] == variant]),
                 columns=list(ev.table.columns), changed=changed,
                 deltas=_delta_rows(ev.table, base["evaluation"].table, info_ref, variant),
                 reference=info_ref, rid=out["result_id"], charts=charts, seconds=ev.seconds)


def _edited_toml(svc, form) -> tuple[str, dict, str]:
    program, variant = str(form.get("program", "")), str(form.get("variant", ""))
    name = check_name(str(form.get("save_name", "")).strip(), "save as")
    path, _ = svc.program_path(program)
    prog_raw = parse_toml(path.read_bytes(), None)
    refs = prog_raw.get("variants") or []
    # the variant's derivative: a bundled or workspace name (a workspace program's relative
    # path names the file derivatives/<name>.toml)
    ref = next((r for r in refs if isinstance(r, str)
                and re.sub(r"\.toml$", "", r.rsplit("/", 1)[-1]) == variant), variant)
    base_name = re.sub(r"\.toml$", "", ref.rsplit("/", 1)[-1])
    base = svc.derivative(base_name)
    raw = apply_edits(parse_toml(base["toml"].encode(), None), _form_edits(form))
    raw["name"] = name
    return name, raw, to_toml(raw, f"{name}: derivative {base_name!r} edited in skateboard serve")


@router.post("/ui/edit/save", response_class=HTMLResponse)
async def edit_save(request: Request):
    svc = _svc(request)
    form = await request.form()
    base_version = str(form.get("base_version", "")) or None
    try:
        name, raw, text = _edited_toml(svc, form)
        version = await svc.save_derivative(name, raw, text, base_version)
    except SpecError as exc:
        return _page(request, "save_part.html", error=exc.one_line(), version=base_version)
    except Conflict as exc:
        return _page(request, "save_part.html", error=str(exc), version=base_version)
    return _page(request, "save_part.html", error=None, name=name, version=version)


@router.post("/ui/edit/toml")
async def edit_toml(request: Request):
    svc = _svc(request)
    form = await request.form()
    try:
        name, _, text = _edited_toml(svc, form)
    except SpecError as exc:
        return Response(exc.one_line(), status_code=400, media_type="text/plain")
    return Response(text, media_type="application/toml",
                    headers={"Content-Disposition": f'attachment; filename="{name}.toml"'})


@router.get("/compare", response_class=HTMLResponse)
async def compare(request: Request, program: str = DEFAULT_PROGRAM):
    svc = _svc(request)
    chosen = [v for v in request.query_params.getlist("v") if v][:3]
    try:
        entry = await _baseline(svc, program)
    except SpecError as exc:
        return _page(request, "error_part.html", error=exc.one_line())
    table = entry["evaluation"].table
    variants = list(dict.fromkeys(table["variant"]))
    chosen = [v for v in chosen if v in variants] or variants[:3]
    markets = list(dict.fromkeys(table["market"]))
    metrics = [c for c in table.columns if c not in ("variant", "market")]
    cells = {(r["variant"], r["market"]): r for r in json_records(table)}
    return _page(request, "compare.html", programs=svc.programs(), program=program,
                 variants=variants, chosen=chosen, markets=markets, metrics=metrics, cells=cells,
                 page="compare")


#: Economics columns the page shows (every key is in the JSON API's rows).
ECONOMICS_SHOWN = ["variant", "market", "powertrain", "cost_total", "platform_cost_share",
                   "ex_works_cost", "shipping_cost", "import_duty", "landed_cost",
                   "compliance_value", "price", "margin_per_vehicle", "volume", "note"]
#: Business-case keys shown, in order.
CASE_SHOWN = ["npv_license", "npv_own_platform", "npv_difference", "irr_license",
              "payback_year_license", "break_even_volume", "volume_planned", "months_earlier",
              "most_sensitive_drivers", "commonality_cost_weighted", "commonality_part_count"]


@router.get("/economics", response_class=HTMLResponse)
async def economics_page(request: Request, program: str = DEFAULT_PROGRAM):
    """Cost, landed cost and margin per variant and market, and the licence-vs-own-platform
    business case with its tornado (``skateboard.economics``, run in a worker)."""
    svc = _svc(request)
    try:
        data = await svc.economics(program)
    except SpecError as exc:
        return _page(request, "error_part.html", error=exc.one_line())
    rows = data["rows"]
    case = data.get("business_case") or {}
    chart = {"tornado": data.get("tornado") or [],
             "base": case.get("npv_difference"),
             "waterfall": [{"name": f"{r['variant']} in {r['market']}",
                            "steps": [r.get(k) for k in ("cost_total", "ex_works_cost",
                                                          "landed_cost", "price")]}
                           for r in rows if r.get("landed_cost") is not None]}
    currency = rows[0].get("currency", "") if rows else ""
    return _page(request, "economics.html", programs=svc.programs(), program=program,
                 rows=rows, columns=[c for c in ECONOMICS_SHOWN if rows and c in rows[0]],
                 case=[(k, case[k]) for k in CASE_SHOWN if k in case], currency=currency,
                 chart=chart, page="economics")


@router.get("/optimise", response_class=HTMLResponse)
def optimise_page(request: Request, program: str = DEFAULT_PROGRAM):
    svc = _svc(request)
    return _page(request, "optimise.html", programs=svc.programs(), program=program,
                 page="optimise")


@router.post("/ui/optimise", response_class=HTMLResponse)
async def optimise_run(request: Request):
    """Run ``skateboard.optimise`` from the form: FIELD=SPEC and objectives one per line."""
    form = await request.form()
    svc = _svc(request)
    lines = lambda key: [x.strip() for x in str(form.get(key, "")).splitlines() if x.strip()]  # noqa: E731
    try:
        out = await svc.optimise(str(form.get("program", DEFAULT_PROGRAM)),
                                 str(form.get("variant", "")), lines("vary"), lines("objectives"),
                                 markets=[m for m in str(form.get("markets", "")).split(",") if m.strip()] or None,
                                 population=max(4, min(int(form.get("population") or 40), 400)),
                                 generations=max(1, min(int(form.get("generations") or 20), 100)))
    except (SpecError, ValueError) as exc:
        msg = exc.one_line() if isinstance(exc, SpecError) else f"population and generations are numbers ({exc})"
        return _page(request, "error_part.html", error=msg)
    rows = out["pareto"] or ([out["best"]] if out.get("best") else [])
    columns = list(rows[0]) if rows else []
    return _page(request, "optimise_result.html", out=out, rows=rows, columns=columns,
                 chart={"rows": rows, "objectives": out.get("objectives", [])})


@router.get("/sweep", response_class=HTMLResponse)
def sweep_page(request: Request, program: str = DEFAULT_PROGRAM):
    svc = _svc(request)
    return _page(request, "sweep.html", programs=svc.programs(), program=program,
                 sweeps=svc.list_sweeps(), page="sweep")


@router.post("/ui/sweeps", response_class=HTMLResponse)
async def sweep_start(request: Request):
    svc = _svc(request)
    form = await request.form()
    vary = [line.strip() for line in str(form.get("vary", "")).splitlines() if line.strip()]
    samples = str(form.get("samples", "")).strip()
    markets = [m.strip() for m in str(form.get("markets", "")).split(",") if m.strip()]
    try:
        opts = {"method": str(form.get("method") or "") or None,
                "samples": int(samples) if samples else None,
                "markets": markets or None,
                "chunk_size": int(str(form.get("chunk_size") or 5000))}
        status = await svc.start_sweep(str(form.get("program", "")), vary, opts)
    except ValueError:
        return _page(request, "error_part.html", error="samples and chunk size are whole numbers")
    except SpecError as exc:
        return _page(request, "error_part.html", error=exc.one_line())
    return _page(request, "sweep_progress.html", s=status)


@router.get("/ui/sweeps/{sid}/progress", response_class=HTMLResponse)
def sweep_progress(request: Request, sid: str):
    status = _svc(request).sweep_status(sid)
    resp = _page(request, "sweep_progress.html", s=status)
    if status["state"] not in ("queued", "running", "cancelling"):
        resp.status_code = 286  # htmx: stop polling
    return resp


@router.post("/ui/sweeps/{sid}/cancel", response_class=HTMLResponse)
def sweep_cancel(request: Request, sid: str):
    return _page(request, "sweep_progress.html", s=_svc(request).cancel_sweep(sid))


@router.get("/ui/sweeps/{sid}/summary", response_class=HTMLResponse)
async def sweep_summary(request: Request, sid: str, x: str = "", y: str = ""):
    try:
        s = await _svc(request).sweep_summary(sid, x or None, y or None)
    except SpecError as exc:
        return _page(request, "error_part.html", error=exc.one_line())
    return _page(request, "sweep_summary.html", s=s, sid=sid)


@router.get("/favicon.ico")
def favicon():
    return RedirectResponse("/static/favicon.svg")


__all__ = ["router"]
