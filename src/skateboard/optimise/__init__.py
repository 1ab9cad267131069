"""Optimisation: the best variants of a derivative for the program's targets (``optimise``,
pymoo) and the option set a platform should offer (``platform-options``, an exact mixed-integer
program). ``docs/optimise.md`` has the user's view.

The names below are imported on first use (PEP 562), so that importing a light submodule such
as :mod:`.settings` (the command line does, for its option defaults) does not import pandas,
pymoo and SciPy."""

_NAMES = {
    "COST_MODEL": "columns", "columns_for": "columns", "cost_standin": "columns",
    "targets_for": "columns",
    "PlatformOptionsResult": "platform", "platform_options": "platform",
    "select_options": "selection",
    "Objective": "search", "OptimiseResult": "search", "optimise": "search",
}


def __getattr__(name):
    import importlib

    if name in _NAMES:
        return getattr(importlib.import_module(f"skateboard.optimise.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'skateboard.optimise' has no attribute {name!r}")


__all__ = sorted(_NAMES)
