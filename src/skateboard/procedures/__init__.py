"""Test procedures built on the engine. Each owns its test mass, cycle sequence, stop criterion
and reported figures, and returns a pandas DataFrame with one row per variant (unit-suffixed
columns)."""

from skateboard.procedures import (charging, cltc, epa, motorway, nedc, performance, real_world,
                                   wltp)

PROCEDURES = {
    "wltp": wltp.run,
    "wltp_3phase": wltp.run_3phase,
    "cltc": cltc.run,
    "epa": epa.run,
    "nedc": nedc.run,
    "performance": performance.run,
    "real_world": real_world.run,
    "charging": charging.run,
    "motorway": motorway.run,
}

__all__ = ["PROCEDURES", "charging", "cltc", "epa", "motorway", "nedc", "performance",
           "real_world", "wltp"]
