"""Fuels as data: density, lower heating value and CO2 per litre, read from ``data/fuels.toml``.

Each entry gives its sources in the TOML file; CO2 per volume is derived from the carbon mass
fraction when the file gives that instead (CO2 = density * w_C * 44.009 / 12.011).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from skateboard.errors import SpecError, unknown_name

FUELS_FILE = Path(__file__).resolve().parent.parent / "data" / "fuels.toml"


@dataclass(frozen=True)
class Fuel:
    """A liquid fuel.

    name : key in ``data/fuels.toml`` (e.g. "E10").
    density : [kg/m**3] at 15 degC.
    lower_heating_value : [J/kg].
    co2_per_volume : CO2 emitted by burning one cubic metre completely [kg/m**3]
        (kg/l = co2_per_volume / 1000).
    """

    name: str
    density: float
    lower_heating_value: float
    co2_per_volume: float

    @property
    def co2_per_mass(self) -> float:
        """CO2 per kilogram of fuel [kg/kg]."""
        return self.co2_per_volume / self.density


@functools.cache
def _all_fuels(path: Path = FUELS_FILE) -> dict[str, Fuel]:
    from skateboard.spec.models import FuelSpec, validate
    from skateboard.spec.toml_file import read_toml

    data = read_toml(path)
    fuels = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise SpecError("expected a table [<fuel name>]", file=str(path), field=name,
                            value=table)
        spec = validate(FuelSpec, table, file=str(path), prefix=name)
        fuels[name] = Fuel(name, spec.density, spec.lower_heating_value, spec.co2_per_volume)
    return fuels


def list_fuels() -> list[str]:
    """Names of the bundled fuels."""
    return sorted(_all_fuels())


def load_fuel(name: str) -> Fuel:
    """The bundled fuel ``name``; an unknown name raises a SpecError listing the valid ones."""
    fuels = _all_fuels()
    if name not in fuels:
        raise unknown_name("fuel", name, fuels)
    return fuels[name]


__all__ = ["Fuel", "FUELS_FILE", "list_fuels", "load_fuel"]
