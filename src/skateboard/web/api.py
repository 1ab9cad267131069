"""The JSON API (``/api/...``; OpenAPI documentation at ``/docs``). The pages use it too."""

from __future__ import annotations

import io
import time
from typing import Any, Literal, Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from skateboard.errors import SpecError
from skateboard.jsonsafe import json_records
from skateboard.web.edits import apply_edits, to_toml
from skateboard.web.workspace import MAX_TOML_BYTES, TooLarge, parse_toml

router = APIRouter(prefix="/api")
EditValue = Optional[str | float | int | list[str]]


def service(request: Request):
    return request.app.state.service


class EvaluateRequest(BaseModel):
    program: str = Field(description="A program name (workspace or bundled).",
                         examples=["hongqi-on-b10"])
    edits: dict[str, dict[str, EditValue]] = Field(
        default_factory=dict, description="variant -> {field path: value as in TOML}",
        examples=[{"hongqi-b10-bev": {"top_hat.drag_coefficient": "0.30"}}])
    derivatives: list[dict[str, Any]] = Field(
        default_factory=list, description="Inline derivative tables (TOML's shape) added to "
        "the program; platform: a bundled or workspace platform name.")
    markets: Optional[list[str]] = None
    variants: Optional[list[str]] = None


class SweepRequest(BaseModel):
    program: str
    vary: list[str] = Field(examples=[["hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.32:4"]])
    method: Optional[Literal["grid", "lhs"]] = None
    samples: Optional[int] = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0)
    markets: Optional[list[str]] = None
    chunk_size: int = Field(default=5000, ge=1, le=100_000)


class OptimiseRequest(BaseModel):
    program: str = Field(examples=["hongqi-on-b10"])
    variant: str = Field(examples=["hongqi-b10-bev"])
    vary: list[str] = Field(examples=[["pack={56kwh,67kwh}",
                                       'drive_units.rear.peak_power="100 kW".."220 kW"']])
    objectives: list[str] = Field(examples=[["min:cost_total"]])
    markets: Optional[list[str]] = Field(default=None, examples=[["eu"]])
    population: int = Field(default=40, ge=4, le=400)
    generations: int = Field(default=20, ge=1, le=100)
    seed: int = Field(default=0, ge=0)


class SaveRequest(BaseModel):
    toml: Optional[str] = Field(default=None, description="The whole file, or base + edits.")
    base: Optional[str] = Field(default=None, description="Derivative to start from (name).")
    edits: dict[str, EditValue] = Field(default_factory=dict)
    base_version: Optional[str] = Field(default=None, description="Version of the workspace "
                                        "file when it was loaded; null for a new file.")


def rows_of(evaluation) -> list[dict]:
    """The rows with the keys of ``skateboard evaluate --json`` (the CLI's list of columns; the
    table's own columns should that list name one the table lacks)."""
    from skateboard.api import EVALUATE_COLUMNS as JSON_COLUMNS

    table = evaluation.table
    if all(c in table.columns for c in JSON_COLUMNS):
        table = table[JSON_COLUMNS]
    return json_records(table)


@router.get("/health")
def health(request: Request) -> dict:
    svc = service(request)
    return {"status": "ok", "time": time.time(), "workers": svc.pools.workers,
            "sweeps_running": sum(j.future is not None and j.future.running()
                                  for j in svc.sweeps.values())}


@router.get("/programs")
def programs(request: Request) -> list[dict]:
    return service(request).programs()


@router.get("/programs/{name}")
async def program(name: str, request: Request) -> dict:
    return await service(request).program(name)


@router.get("/programs/{name}/economics")
async def program_economics(name: str, request: Request, markets: Optional[str] = None) -> dict:
    """What ``skateboard economics NAME --json`` prints: ``rows``, ``business_case``,
    ``commonality``, ``tornado``. ``markets``: comma-separated, default the program's."""
    names = [m for m in (markets or "").split(",") if m] or None
    return await service(request).economics(name, names)


@router.post("/optimise")
async def run_optimise(req: OptimiseRequest, request: Request) -> dict:
    """What ``skateboard optimise ... --json`` prints: ``best``, ``pareto``, ``evaluations``,
    ``seconds`` (one derivative; runs in a worker, up to about a minute)."""
    return await service(request).optimise(req.program, req.variant, req.vary, req.objectives,
                                           markets=req.markets, population=req.population,
                                           generations=req.generations, seed=req.seed)


@router.post("/evaluate")
async def evaluate(req: EvaluateRequest, request: Request) -> dict:
    out = await service(request).evaluate(req.program, edits=req.edits,
                                          derivatives=req.derivatives, markets=req.markets,
                                          variants=req.variants)
    ev = out["evaluation"]
    rows = rows_of(ev)
    return {"program": req.program, "result_id": out["result_id"], "seconds": ev.seconds,
            "columns": list(rows[0]) if rows else list(ev.table.columns), "rows": rows}


@router.get("/results/{rid}/results.csv")
def result_csv(rid: str, request: Request) -> Response:
    table = service(request).result(rid)["evaluation"].table
    return Response(table.to_csv(index=False), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="results.csv"'})


@router.get("/results/{rid}/results.parquet")
def result_parquet(rid: str, request: Request) -> Response:
    buf = io.BytesIO()
    service(request).result(rid)["evaluation"].table.to_parquet(buf, index=False)
    return Response(buf.getvalue(), media_type="application/vnd.apache.parquet",
                    headers={"Content-Disposition": 'attachment; filename="results.parquet"'})


@router.get("/results/{rid}/report.html")
async def result_report(rid: str, request: Request) -> HTMLResponse:
    page = await service(request).report(rid)
    return HTMLResponse(page, headers={"Content-Disposition": 'attachment; filename="report.html"'})


@router.get("/derivatives")
def derivatives(request: Request) -> list[dict]:
    return service(request).ws.listing("derivative")


@router.get("/derivatives/{name}")
def derivative(name: str, request: Request) -> dict:
    return service(request).derivative(name)


@router.get("/derivatives/{name}/toml")
def derivative_toml(name: str, request: Request) -> Response:
    d = service(request).derivative(name)
    return Response(d["toml"], media_type="application/toml",
                    headers={"Content-Disposition": f'attachment; filename="{name}.toml"'})


def _raw_and_text(svc, name: str, req: SaveRequest) -> tuple[dict, str]:
    if req.toml is not None:
        if len(req.toml.encode()) > MAX_TOML_BYTES:
            raise TooLarge("file too large", field="toml", value=f"{len(req.toml.encode())} bytes",
                            allowed=f"at most {MAX_TOML_BYTES} bytes")
        return parse_toml(req.toml.encode(), f"workspace:derivatives/{name}.toml"), req.toml
    if req.base is None:
        raise SpecError("give toml, or base and edits", field="toml")
    base = svc.derivative(req.base)
    raw = apply_edits(parse_toml(base["toml"].encode(), None), req.edits)
    raw["name"] = name
    header = f"{name}: derivative {req.base!r} edited in skateboard serve"
    return raw, to_toml(raw, header)


@router.put("/derivatives/{name}")
async def save_derivative(name: str, req: SaveRequest, request: Request) -> dict:
    svc = service(request)
    raw, text = _raw_and_text(svc, name, req)
    version = await svc.save_derivative(name, raw, text, req.base_version)
    return {"name": name, "version": version, "source": "workspace"}


@router.put("/programs/{name}")
async def save_program(name: str, req: SaveRequest, request: Request) -> dict:
    svc = service(request)
    if req.toml is None:
        raise SpecError("give the program's TOML", field="toml")
    raw = parse_toml(req.toml.encode(), f"workspace:programs/{name}.toml")
    version = await svc.save_program(name, raw, req.toml, req.base_version)
    return {"name": name, "version": version, "source": "workspace"}


@router.post("/sweeps", status_code=202)
async def start_sweep(req: SweepRequest, request: Request) -> dict:
    opts = req.model_dump(exclude={"program", "vary"})
    return await service(request).start_sweep(req.program, req.vary, opts)


@router.get("/sweeps")
def list_sweeps(request: Request) -> list[dict]:
    return service(request).list_sweeps()


@router.get("/sweeps/{sid}")
def sweep_status(sid: str, request: Request) -> dict:
    return service(request).sweep_status(sid)


@router.delete("/sweeps/{sid}")
def cancel_sweep(sid: str, request: Request) -> dict:
    return service(request).cancel_sweep(sid)


@router.get("/sweeps/{sid}/summary")
async def sweep_summary(sid: str, request: Request, x: Optional[str] = None,
                        y: Optional[str] = None, limit: int = 20) -> dict:
    return await service(request).sweep_summary(sid, x, y, limit)


__all__ = ["router"]
