"""Batch simulation engine: variants -> arrays -> one compiled kernel -> SimResult."""

import os

# Idle OpenMP workers spin after each parallel call and steal the CPU from everything else on a
# shared machine (measured: one small batch took 4 ms instead of 0.2 ms); let them sleep.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from skateboard.engine.result import SimResult
from skateboard.engine.simulate import simulate, simulate_params

__all__ = ["SimResult", "simulate", "simulate_params"]
