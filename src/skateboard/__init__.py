"""Skateboard: EV platforms and derivatives, simulated in batch across markets and test procedures."""

from skateboard.errors import SpecError

__version__ = "0.1.0"
__all__ = ["SpecError", "__version__", "economics"]


def __getattr__(name):
    # skateboard.economics: the economics package, callable as skateboard.economics(program,
    # markets=None, costs=None); loaded lazily so `import skateboard` stays light
    if name == "economics":
        import importlib
        return importlib.import_module("skateboard.economics")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
