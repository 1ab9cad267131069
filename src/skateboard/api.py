"""The public Python API (``import skateboard as sb``; the CLI calls the same functions).

    prog = sb.load_program("hongqi-on-b10")
    bev = prog.variant("hongqi-b10-bev").replace(curb_mass="1.85 t", drag_coefficient=0.27)
    res = sb.evaluate(prog.with_variant(bev, replaces="hongqi-b10-bev"), markets=["eu", "us"])
    res.to_pandas(); res.plot()

``evaluate`` and ``simulate`` return a :class:`skateboard.results.Results`. Heavy modules
(pandas, numba, matplotlib) are imported when a function runs, not on ``import skateboard``.
"""

from __future__ import annotations

from skateboard.errors import SpecError
from skateboard.selection import select_variants


def as_program(program):
    """A Program from a bundled name, a path, a Program, a Variant, a list of Variants or a
    :class:`~skateboard.spec.batch.VariantBatch` (the last three: an ad-hoc program without
    targets; a batch's variants become objects, as a program holds them)."""
    from skateboard.spec import Program, Variant, load_program
    from skateboard.spec.batch import VariantBatch

    if isinstance(program, Program):
        return program
    if isinstance(program, Variant):
        program = [program]
    if isinstance(program, VariantBatch):
        program = [program.variant(i) for i in range(len(program))]
    if isinstance(program, (list, tuple)) and program and all(isinstance(v, Variant) for v in program):
        names = [v.name for v in program]
        if len(set(names)) != len(names):
            raise SpecError("two variants share one name", field="variants", value=names,
                            allowed="distinct names: variant.replace(name=...)")
        return Program(name="variants", title="variants", variants=list(program))
    if isinstance(program, str) or hasattr(program, "__fspath__"):
        return load_program(program)
    raise SpecError("expected a program", field="program", value=type(program).__name__,
                    allowed="a bundled program name, a program file, a Program, Variants or a "
                    "VariantBatch")


def evaluate(program="hongqi-on-b10", *, markets=None, variants=None, motorway_cases=True):
    """Every variant in every market (the program's, or ``markets``): headline procedure,
    performance, climate cases, DC charging, motorway range, targets. Returns Results
    (``to_pandas()``: one row per variant and market, ``docs/results.md``)."""
    from skateboard.evaluation import evaluate as _evaluate

    return _evaluate(as_program(program), markets=markets, variants=variants,
                     motorway_cases=motorway_cases)


def simulate_program(program, *, variants=None, cycle="wltc_class3b", record=False, **conditions):
    """Simulate a program's variants over one cycle (a bundled name, a CSV path inside the
    workspace root, or a :class:`~skateboard.cycles.Cycle`).

    Returns
    -------
    rows : list of dict — one per variant (unit-suffixed keys, see SimResult.to_pandas).
    timeseries : pandas.DataFrame or None — all variants' time series, with a ``variant`` column.
    """
    res = simulate(program, variants=variants, cycle=cycle, record=record, **conditions)
    return res.table.to_dict("records"), res.timeseries


def simulate(program="hongqi-on-b10", *, variants=None, cycle="wltc_class3b", record=False,
             **conditions):
    """Drive the variants over one cycle (a bundled name or a CSV file). Returns Results
    (``to_pandas()``: one row per variant; ``timeseries`` with ``record=True``)."""
    import time

    import pandas as pd

    from skateboard.cycles import Cycle, load_cycle
    from skateboard.engine import simulate as _simulate
    from skateboard.inputs import inputs_table, plausibility_warnings
    from skateboard.results import Results

    t0 = time.perf_counter()
    prog = as_program(program)
    chosen = select_variants(prog, variants)
    cyc = cycle if isinstance(cycle, Cycle) else load_cycle(cycle)
    from skateboard.engine.precompile import compile_steps_if_cold

    compile_steps_if_cold()  # a cold cache: the kernel's steps compile in two processes
    result = _simulate(chosen, cyc, record=record, **conditions)
    df = result.to_pandas(charger_efficiency=[v.charger_efficiency for v in chosen])
    df.insert(1, "powertrain", [v.powertrain for v in chosen])
    frames = None
    if record:
        parts = []
        for i, v in enumerate(chosen):
            f = result.trace_frame(i)
            f.insert(0, "variant", v.name)
            parts.append(f)
        frames = pd.concat(parts, ignore_index=True)
    warnings = [w for v in chosen for w in plausibility_warnings(v)]
    return Results(table=df, program=prog, seconds=time.perf_counter() - t0, kind="simulate",
                   timeseries=frames, inputs=inputs_table(chosen), warnings=warnings,
                   cycle=cyc.name)


def compile_kernels() -> None:
    """Compile and cache the simulation kernel ahead of the first run (Numba compiles on first
    call and caches the machine code on disk): one bundled car on UDDS compiles the kernel
    (:func:`skateboard.engine.lanes.run_tiles`, the engine's only one; large batches run it on
    several threads), then evaluating the bundled program compiles every smaller helper
    ``evaluate`` calls. ``python -m skateboard.cli.warm`` calls this.

    In that order because the kernel compiled in 14.5 s in a process that had only loaded one
    car, and in 18.6-21.4 s as the first step of ``evaluate`` (measured 2026-12-04 with the same
    arguments, replayed; the cause was not found: not threads, garbage collection or warnings).
    Before the kernel, its fast steps compile in a second process while this one compiles the
    exact path's functions (:mod:`skateboard.engine.precompile`)."""
    from skateboard.cycles import load_cycle
    from skateboard.engine import precompile
    from skateboard.engine.simulate import simulate as _simulate
    from skateboard.spec import resolve_variant

    precompile.compile_steps()
    _simulate([resolve_variant("hongqi-b10-bev")], load_cycle("udds"))
    evaluate("hongqi-on-b10")


def sweep(program, vary, **options):
    """Run or resume a sweep (:func:`skateboard.explore.run_sweep`: ``method``, ``samples``,
    ``markets``, ``out``, ``executor``, ...); ``.to_pandas()`` reads the dataset."""
    from skateboard.explore.sweep import run_sweep

    return run_sweep(program, list(vary) if not isinstance(vary, str) else [vary], **options)


#: The rest of the public surface, imported on first access (``from skateboard.api import
#: load_cycle`` imports :mod:`skateboard.cycles` then). The CLI and the web app import the
#: package through this module only (plus the layer-0 helpers ``errors``, ``jsonsafe`` and
#: ``workspace``); ``tests/test_architecture.py`` checks it. Name -> (module, attribute); an
#: attribute of None is the module itself.
_PUBLIC: dict[str, tuple[str, str | None]] = {
    # specifications
    **{n: ("skateboard.spec", n) for n in (
        "Program", "Variant", "load_program", "load_platform", "load_derivative", "resolve_variant",
        "list_platforms", "list_derivatives", "list_programs")},
    **{n: ("skateboard.spec.loader", n) for n in ("read_toml", "locate", "DATA_DIR")},
    "spec_models": ("skateboard.spec.models", None),
    # cycles and markets
    **{n: ("skateboard.cycles", n) for n in ("Cycle", "load_cycle", "cycle_table", "list_cycles")},
    **{n: ("skateboard.markets", n) for n in ("list_markets", "load_market")},
    # evaluation and its reports
    "evaluate_program": ("skateboard.evaluation", "evaluate"),
    "EVALUATE_COLUMNS": ("skateboard.evaluation", "COLUMNS"),
    "TARGET_FIELDS": ("skateboard.evaluation", "TARGET_FIELDS"),
    "Results": ("skateboard.results", "Results"),
    "energy_by_sink_kwh": ("skateboard.results", "energy_by_sink_kwh"),
    "KWH": ("skateboard.physics.constants", "KWH"),
    "write_report": ("skateboard.report.html", "write_report"),
    "render_html": ("skateboard.report.html", "render_html"),
    "write_table_safely": ("skateboard.report.files", "write_table_safely"),
    # sweeps
    **{n: ("skateboard.explore", n) for n in (
        "run_sweep", "plan_sweep", "read_sweep", "summarise_sweep", "read_manifest")},
    "default_sweep_directory": ("skateboard.explore.sweep", "default_directory"),
    # optimisation
    "optimise": ("skateboard.optimise", "optimise"),
    "optimise_search": ("skateboard.optimise.search", None),
    "optimise_settings": ("skateboard.optimise.settings", None),
    "market_dependent_columns": ("skateboard.optimise.search", "market_dependent_columns"),
    "platform_options": ("skateboard.optimise.platform", "platform_options"),
    **{n: ("skateboard.optimise.output", n) for n in (
        "optimise_json", "write_optimise", "platform_json", "write_platform")},
    # economics
    "economics": ("skateboard.economics", "economics"),
    "write_economics_report": ("skateboard.economics.report", "write_economics_report"),
    # validation
    **{n: ("skateboard.validation", n) for n in (
        "validate_epa_testcar", "UNIT_DEFECT_MPGE", "write_epa_extract", "validate_published")},
    **{n: ("skateboard.validation.cltc", n) for n in ("CLTC_FILE", "validate_cltc")},
    **{n: ("skateboard.validation.climate", n) for n in ("CLIMATE_FILE", "validate_climate")},
    **{n: ("skateboard.validation.erev", n) for n in ("EREV_FILE", "validate_erev")},
    **{n: ("skateboard.validation.road_load", n) for n in ("check_road_load", "fit_speed_coefficient")},
    "compare_drive_maps": ("skateboard.validation.drive_maps", "compare"),
    "EPA_TESTCAR_FILE": ("skateboard.validation.epa_list", "EPA_TESTCAR_FILE"),
}


def __getattr__(name):
    import importlib

    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError(f"module 'skateboard.api' has no attribute {name!r}") from None
    found = importlib.import_module(module)
    return found if attribute is None else getattr(found, attribute)


__all__ = ["SpecError", "as_program", "compile_kernels", "evaluate", "select_variants", "simulate",
           "simulate_program", "sweep", *_PUBLIC]
