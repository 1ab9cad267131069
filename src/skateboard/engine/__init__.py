"""Batch simulation engine: variants -> arrays -> one compiled kernel -> SimResult."""

from skateboard.engine.result import SimResult
from skateboard.engine.simulate import simulate, simulate_params

__all__ = ["SimResult", "simulate", "simulate_params"]
