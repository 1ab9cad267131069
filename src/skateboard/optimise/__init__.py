"""Optimisation: the best variants of a derivative for the program's targets (``optimise``,
pymoo) and the option set a platform should offer (``platform-options``, an exact mixed-integer
program). ``docs/optimise.md`` has the user's view."""

from skateboard.optimise.columns import COST_MODEL, columns_for, cost_standin, targets_for
from skateboard.optimise.platform import PlatformOptionsResult, platform_options
from skateboard.optimise.selection import select_options
from skateboard.optimise.search import Objective, OptimiseResult, optimise

__all__ = ["COST_MODEL", "Objective", "OptimiseResult", "PlatformOptionsResult", "columns_for",
           "cost_standin", "optimise", "platform_options", "select_options", "targets_for"]
