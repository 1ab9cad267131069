"""The declarative model users write: platforms, derivatives (top hats on platforms), programs.

TOML files -> validated pydantic models (:mod:`skateboard.spec.models`) -> resolved
:class:`~skateboard.spec.variant.Variant` objects (:mod:`skateboard.spec.loader`). Formats,
units and defaults: ``docs/spec.md``.
"""

from skateboard.spec.fuels import Fuel, list_fuels, load_fuel
from skateboard.spec.loader import (Program, list_derivatives, list_platforms, list_programs,
                                    load_derivative, load_platform, load_program, resolve_variant,
                                    usable_soc_window)
from skateboard.spec.models import Derivative, Platform, TopHat
from skateboard.spec.variant import (DriveUnit, EnergyManagement, Pack, RangeExtender,
                                     Variant)

__all__ = [
    "Derivative", "DriveUnit", "EnergyManagement", "Fuel", "Pack", "Platform", "Program",
    "RangeExtender", "TopHat", "Variant", "list_derivatives", "list_fuels", "list_platforms",
    "list_programs", "load_derivative", "load_fuel", "load_platform", "load_program",
    "resolve_variant", "usable_soc_window",
]
