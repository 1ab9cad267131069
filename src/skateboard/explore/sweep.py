"""Parameter sweeps: many variants of one derivative, built fast, simulated in chunks, streamed to
a Parquet dataset that a later run can resume.

Flow::

    plan_sweep(program, vary, ...)     read and check the --vary fields, resolve each
        -> SweepPlan                   combination of options once with the spec layer
    run_chunk(plan, i)                 build chunk i's variants (Variant.replace), run each
        -> pyarrow.Table               market's headline procedure, one row per variant
    run_sweep(...)                     lock, manifest, executor (local or Dask), checked part
                                       files (the directory's format: :mod:`.store`)

Every variant's result depends on that variant alone (the engine steps each variant on its
own; the procedures decide their settings per variant, see :func:`_batches`), so the dataset
is the same, bit for bit, whatever the chunk size or the executor. ``docs/sweep.md`` has the
user's view.

This module is the front: the plan is :mod:`.plan`, running it :mod:`.run`, the directory and
its manifest :mod:`.store`, the writer's lock :mod:`.lock`.
"""


from skateboard.explore.plan import (  # noqa: F401
    BEV_BATCH,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MARKETS,
    EREV_BATCH,
    MAX_CORNERS,
    RESULT_COLUMNS,
    Combination,
    SweepPlan,
    _fast,
    _platform_of,
    _resolve,
    code_fingerprint,
    mass_follows_pack,
    pack_mass_change,
    plan_sweep,
)
from skateboard.explore.run import (  # noqa: F401
    SweepResult,
    run_chunk,
    run_sweep,
)
from skateboard.explore.store import (  # noqa: F401
    FORMAT,
    MANIFEST,
    default_directory,
    finished_chunks,
    part_files,
    prepare_directory,
    read_manifest,
    read_sweep,
    write_part,
)

__all__ = ["Combination", "DEFAULT_CHUNK_SIZE", "DEFAULT_MARKETS", "FORMAT", "MANIFEST", "RESULT_COLUMNS", "SweepPlan", "SweepResult", "default_directory", "finished_chunks", "part_files", "plan_sweep", "prepare_directory", "read_manifest", "read_sweep", "run_chunk", "run_sweep", "write_part"]
