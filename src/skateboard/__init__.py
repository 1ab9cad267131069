"""Skateboard: EV platforms and derivatives, simulated in batch across markets and test procedures.

``import skateboard as sb`` is light: the names below are imported on first use.
"""

from skateboard.errors import SpecError

__version__ = "0.1.0"

#: Public name -> module that defines it (imported on first access).
_LAZY = {
    "load_program": "skateboard.spec",
    "Program": "skateboard.spec",
    "Variant": "skateboard.spec",
    "VariantBatch": "skateboard.spec.batch",
    "evaluate": "skateboard.api",
    "simulate": "skateboard.api",
    "sweep": "skateboard.api",
    "Results": "skateboard.results",
}
#: Public submodules callable as functions: ``skateboard.economics(program, markets=None,
#: costs=None)`` is the economics package (importing a submodule binds its name on the package,
#: so the package itself is the callable).
_LAZY_MODULES = {"economics": "skateboard.economics"}


def __getattr__(name):
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _LAZY_MODULES:
        return importlib.import_module(_LAZY_MODULES[name])
    raise AttributeError(f"module 'skateboard' has no attribute {name!r}")


__all__ = ["SpecError", "__version__", *_LAZY, *_LAZY_MODULES]
