"""What the API and the pages share: the workspace, the worker pools, recent results and the
sweeps this server started. Every computation goes to :mod:`skateboard.web.jobs`."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from skateboard.errors import SpecError
from skateboard.web import jobs
from skateboard.web.workspace import NAME_RE, Workspace, check_name, parse_toml

MAX_RESULTS = 64
#: Largest sweep the server accepts (variants); the CLI has no limit, a shared server does.
MAX_SWEEP_VARIANTS = 2_000_000
MAX_VARY = 8


class Service:
    def __init__(self, workspace: str | Path, workers: int = 2):
        self.ws = Workspace(workspace)
        self.pools = jobs.Pools(workers)
        self.results: OrderedDict[str, dict] = OrderedDict()
        self.sweeps: dict[str, jobs.SweepJob] = {}
        self.baselines: dict[tuple, str] = {}  # (program, file mtimes, charts) -> result id

    def start(self) -> None:
        self.pools.start()

    def shutdown(self) -> None:
        for job in self.sweeps.values():
            if job.state in ("queued", "running"):
                self._marker(job.id).parent.mkdir(parents=True, exist_ok=True)
                self._marker(job.id).touch()
        self.pools.shutdown()

    async def _run(self, fn, *args, **kwargs) -> dict:
        out = await self.pools.run(fn, *args, **kwargs)
        if isinstance(out, dict) and "error" in out:
            raise self.ws.public_error(jobs.spec_error(out["error"]))
        return out

    # --- programs ---
    def program_path(self, name: str) -> tuple[Path, str]:
        path, source = self.ws.locate("program", name)
        self.ws.check_references("program", path)
        return path, source

    def programs(self) -> list[dict]:
        out = []
        for item in self.ws.listing("program"):
            path, _ = self.ws.locate("program", item["name"])
            try:
                title = parse_toml(path.read_bytes(), None).get("title", "")
            except SpecError:
                title = "(unreadable)"
            out.append({**item, "title": title if isinstance(title, str) else ""})
        return out

    async def program(self, name: str) -> dict:
        path, source = self.program_path(name)
        info = await self._run(jobs.program_info_job, str(path))
        for v in info["variants"]:
            v["source"] = self.ws.display(v.pop("source_file"))
        return {"name": name, "source": source, **{k: v for k, v in info.items() if k != "name"},
                "program_name": info["name"]}

    # --- evaluate ---
    def _inline(self, derivatives: list[dict]) -> list[tuple[dict, str]]:
        out = []
        for i, raw in enumerate(derivatives or []):
            if not isinstance(raw, dict):
                raise SpecError("expected a derivative table", field=f"derivatives[{i}]")
            raw = dict(raw)
            check_name(raw.get("name"), f"derivatives[{i}].name")
            plat = raw.get("platform")
            check_name(plat, f"derivatives[{i}].platform")
            path, source = self.ws.locate("platform", plat)
            if source == "workspace":
                raw["platform"] = str(path)
            out.append((raw, str(self.ws.folder("derivative") / f"{raw['name']}.toml")))
        return out

    def _markets(self, markets) -> list[str] | None:
        if not markets:
            return None
        return [check_name(m, "markets") for m in markets]

    async def evaluate(self, program: str, *, edits: dict | None = None,
                       derivatives: list | None = None, markets=None, variants=None,
                       charts: bool = False) -> dict:
        path, _ = self.program_path(program)
        for name in list(edits or {}) + list(variants or []):
            check_name(name, "variant")
        out = await self._run(jobs.evaluate_job, str(path), edits=edits or {},
                              derivatives=self._inline(derivatives), markets=self._markets(markets),
                              variants=variants or None, charts=charts)
        rid = secrets.token_hex(8)
        self.results[rid] = {"program": program, "evaluation": out["evaluation"],
                             "created": time.time(), "edits": edits or {}}
        while len(self.results) > MAX_RESULTS:
            self.results.popitem(last=False)
        out["result_id"] = rid
        return out

    def result(self, rid: str) -> dict:
        if not isinstance(rid, str) or rid not in self.results:
            raise KeyError(rid)
        return self.results[rid]

    async def report(self, rid: str) -> str:
        return await self.pools.run(jobs.report_job, self.result(rid)["evaluation"])

    # --- economics and optimisation (the Python API's, in a worker) ---
    async def economics(self, program: str, markets=None) -> dict:
        path, _ = self.program_path(program)
        return await self._run(jobs.economics_job, str(path), self._markets(markets))

    async def optimise(self, program: str, variant: str, vary: list[str], objectives: list[str],
                       *, markets=None, population: int = 40, generations: int = 20,
                       seed: int = 0) -> dict:
        path, _ = self.program_path(program)
        check_name(variant, "variant")
        if not vary or len(vary) > MAX_VARY:
            raise SpecError("give one to eight --vary fields", field="vary",
                            value=len(vary or []), allowed=f"1 .. {MAX_VARY}")
        return await self._run(jobs.optimise_job, str(path), variant, list(vary), list(objectives),
                               markets=self._markets(markets), population=population,
                               generations=generations, seed=seed)

    # --- derivatives ---
    def derivative(self, name: str) -> dict:
        path, source = self.ws.locate("derivative", name)
        text = path.read_text(encoding="utf-8")
        return {"name": name, "source": source, "toml": text,
                "version": self.ws.version("derivative", name) if source == "workspace" else None}

    async def save_derivative(self, name: str, raw: dict, text: str,
                              base_version: str | None) -> str:
        check_name(name, "name")
        if raw.get("name") != name:
            raise SpecError("the derivative's name must be the name it is saved as",
                            field="name", value=raw.get("name"), allowed=repr(name))
        target = self.ws.folder("derivative") / f"{name}.toml"
        plat = raw.get("platform")
        if isinstance(plat, str) and ("/" in plat or plat.endswith(".toml")):
            if not self.ws.inside(target.parent / plat):
                raise SpecError("a platform reference must be a bundled name or a file inside the "
                                "workspace", field="platform", value=plat)
        await self._run(jobs.check_derivative_job, raw, str(target))
        return self.ws.save("derivative", name, text, base_version)

    async def save_program(self, name: str, raw: dict, text: str, base_version: str | None) -> str:
        check_name(name, "name")
        folder = self.ws.folder("program")
        for i, ref in enumerate(raw.get("variants") or []):
            if isinstance(ref, str) and ("/" in ref or "\\" in ref or ref.endswith(".toml")):
                if Path(ref).is_absolute() or not self.ws.inside(folder / ref):
                    raise SpecError("a derivative reference must be a bundled name or a file "
                                    "inside the workspace", field=f"variants[{i}]", value=ref)
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".check-{secrets.token_hex(6)}.toml"
        probe.write_text(text, encoding="utf-8")
        try:
            self.ws.check_references("program", probe)
            await self._run(jobs.check_program_job, str(probe))
        finally:
            probe.unlink(missing_ok=True)
        return self.ws.save("program", name, text, base_version)

    # --- sweeps ---
    def _marker(self, sid: str) -> Path:
        return self.ws.sweeps / f".{sid}.cancel"

    async def start_sweep(self, program: str, vary: list[str], options: dict) -> dict:
        path, _ = self.program_path(program)
        if not vary or len(vary) > MAX_VARY:
            raise SpecError("one to eight FIELD=SPEC", field="vary", value=len(vary or []))
        options = {k: v for k, v in options.items() if v is not None}
        if "markets" in options:
            options["markets"] = self._markets(options["markets"])
        plan = await self._run(jobs.sweep_plan_job, str(path), list(vary), options)
        if plan["n"] > MAX_SWEEP_VARIANTS:
            raise SpecError("sweep too large for the server", field="samples", value=plan["n"],
                            allowed=f"at most {MAX_SWEEP_VARIANTS} variants (use the CLI)")
        sid = plan["default_name"] if NAME_RE.match(plan["default_name"]) else f"sweep-{plan['key'][:16]}"
        old = self.sweeps.get(sid)
        if old is not None and old.state in ("queued", "running"):
            return self.sweep_status(sid)
        directory = self.ws.sweeps / sid
        self.ws.sweeps.mkdir(parents=True, exist_ok=True)
        self._marker(sid).unlink(missing_ok=True)
        job = jobs.SweepJob(id=sid, directory=directory, n=plan["n"], chunk_size=plan["chunk_size"],
                            program=program, variant=plan["variant"])
        job.done_at_start = self._done(job)
        job.future = self.pools.submit_sweep(jobs.sweep_run_job, str(path), list(vary), options,
                                             str(directory), str(self._marker(sid)))
        job.future.add_done_callback(lambda f, job=job: self._finished(job, f))
        self.sweeps[sid] = job
        return self.sweep_status(sid)

    def _finished(self, job: jobs.SweepJob, future) -> None:
        job.finished = time.monotonic()
        if future.cancelled():
            job.state = "cancelled"
        elif future.exception() is not None:
            job.state, job.error = "failed", {"message": f"worker failed: {future.exception()!r}"}
        else:
            out = future.result()
            job.state, job.error = out["state"], out.get("error")
        self._marker(job.id).unlink(missing_ok=True)

    def _done(self, job: jobs.SweepJob) -> int:
        """Variants finished: the rows of the parts the manifest records (what the dataset
        reads and a resumed sweep skips). A part file the worker wrote but did not record
        before it died is not counted: the resumed sweep computes that chunk again."""
        from skateboard.api import read_manifest

        try:
            parts = read_manifest(job.directory).get("parts")
        except SpecError:  # not written yet (queued), or being created
            return 0
        if isinstance(parts, dict):
            return sum(int(r.get("rows", 0)) for name, r in parts.items()
                       if isinstance(r, dict) and (job.directory / name).is_file())
        done = 0  # a version-1 directory records no parts: each part file counts
        for p in job.directory.glob("part-*.parquet"):
            try:
                i = int(p.stem.split("-")[1])
            except (IndexError, ValueError):
                continue
            done += max(0, min(job.chunk_size, job.n - i * job.chunk_size))
        return done

    def _job_from_disk(self, sid: str) -> jobs.SweepJob:
        from skateboard.api import read_manifest

        directory = self.ws.sweeps / sid
        if not directory.is_dir() or not self.ws.inside(directory):
            raise KeyError(sid)
        man = read_manifest(directory)
        job = jobs.SweepJob(id=sid, directory=directory, n=int(man["n_variants"]),
                            chunk_size=int(man["chunk_size"]), program=man.get("program_name", ""),
                            variant=man.get("variant", ""), state="stopped")
        job.done_at_start = self._done(job)
        if man.get("complete"):
            job.state = "done"
        return job

    def sweep_job(self, sid: str) -> jobs.SweepJob:
        check_name(sid, "sweep id")
        return self.sweeps.get(sid) or self._job_from_disk(sid)

    def sweep_status(self, sid: str) -> dict[str, Any]:
        job = self.sweep_job(sid)
        if job.state == "queued" and job.future is not None and job.future.running():
            job.state, job.started = "running", time.monotonic()
        done = self._done(job)
        end = job.finished or time.monotonic()
        elapsed = max(end - job.started, 1e-9)
        new = done - (job.done_at_start or 0)
        rate = new / elapsed if new > 0 else None
        eta = (job.n - done) / rate if rate and job.state == "running" else None
        return {"id": job.id, "state": job.state, "done": done, "total": job.n,
                "percent": 100.0 * done / job.n if job.n else 100.0,
                "rate_per_s": rate, "eta_s": eta, "elapsed_s": elapsed,
                "program": job.program, "variant": job.variant, "error": job.error,
                "directory": self.ws.display(job.directory)}

    def cancel_sweep(self, sid: str) -> dict:
        job = self.sweep_job(sid)
        if job.state in ("queued", "running"):
            if job.future is not None and job.future.cancel():
                job.state = "cancelled"
            else:
                self._marker(sid).touch()
                job.state = "cancelling"
        return self.sweep_status(sid)

    def list_sweeps(self) -> list[dict]:
        ids = set(self.sweeps)
        if self.ws.sweeps.is_dir():
            ids |= {p.name for p in self.ws.sweeps.iterdir()
                    if p.is_dir() and NAME_RE.match(p.name) and (p / "_manifest.json").exists()}
        return [self.sweep_status(s) for s in sorted(ids)]

    async def sweep_summary(self, sid: str, x: str | None, y: str | None, limit: int = 20) -> dict:
        job = self.sweep_job(sid)
        return await self._run(jobs.sweep_summary_job, str(job.directory), x or None, y or None,
                               max(1, min(int(limit), 1000)))


__all__ = ["MAX_SWEEP_VARIANTS", "Service"]
