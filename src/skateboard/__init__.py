"""Skateboard: EV platforms and derivatives, simulated in batch across markets and test procedures."""

from skateboard.errors import SpecError

__version__ = "0.1.0"
__all__ = ["SpecError", "__version__"]
