"""Test procedures built on the engine. Each owns its test mass, cycle sequence, stop criterion
and reported figures, and returns a pandas DataFrame with one row per variant (unit-suffixed
columns); each module's ``table`` gives the same rows without pandas (:data:`TABLES`). The functions in :data:`PROCEDURES` check every row they return
(:func:`skateboard.checks.check_rows`)."""

import functools

from skateboard.checks import check_rows
from skateboard.procedures import (charging, cltc, epa, motorway, nedc, performance, real_world,
                                   wltp)


def _checked(name, run):
    @functools.wraps(run)
    def checked(variants, **options):
        return check_rows(run(variants, **options), cycle=name)
    return checked


PROCEDURES = {name: _checked(name, run) for name, run in {
    "wltp": wltp.run,
    "wltp_3phase": wltp.run_3phase,
    "cltc": cltc.run,
    "epa": epa.run,
    "nedc": nedc.run,
    "performance": performance.run,
    "real_world": real_world.run,
    "charging": charging.run,
    "motorway": motorway.run,
}.items()}

#: The same procedures returning their rows as a :class:`skateboard.table.Table` (checked the
#: same way): what :func:`skateboard.evaluate` reads, without pandas.
TABLES = {name: _checked(name, table) for name, table in {
    "wltp": wltp.table,
    "wltp_3phase": wltp.table_3phase,
    "cltc": cltc.table,
    "epa": epa.table,
    "nedc": nedc.table,
    "performance": performance.table,
    "real_world": real_world.table,
    "charging": charging.table,
    "motorway": motorway.table,
}.items()}

__all__ = ["PROCEDURES", "TABLES", "charging", "cltc", "epa", "motorway", "nedc", "performance",
           "real_world", "wltp"]
