"""Edits of a derivative, as the browser sends them: ``{"top_hat.drag_coefficient": "0.30"}``.

An edit is a path in the derivative's TOML and a value as one would write it there ("1.78 t",
"0.27", "19in"). Edits are applied to the derivative's TOML table (so saving keeps the user's
notation) and the result is checked and resolved by the spec layer, exactly as a file would
be: :func:`skateboard.spec.models.validate` then :func:`skateboard.spec.resolve_variant`.
Nothing here computes physics; values are data, never evaluated.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from skateboard.errors import SpecError

#: The fields the edit form offers: path -> (label, unit hint). Only these paths are accepted.
EDITABLE: dict[str, tuple[str, str]] = {
    "label": ("label", "text"),
    "top_hat.curb_mass": ("curb mass", "kg, e.g. 1785 kg or 1.78 t"),
    "top_hat.optional_equipment_mass": ("optional equipment mass", "kg"),
    "top_hat.front_mass_share": ("front mass share", "fraction 0..1"),
    "top_hat.drag_coefficient": ("drag coefficient Cd", "e.g. 0.28"),
    "top_hat.frontal_area": ("frontal area", "m², e.g. 2.64 m^2"),
    "top_hat.rolling_resistance_coefficient": ("rolling resistance coefficient", "blank: the tyre's"),
    "top_hat.f0": ("coast-down F0", "N (instead of Cd and area)"),
    "top_hat.f1": ("coast-down F1", "N/(km/h)"),
    "top_hat.f2": ("coast-down F2", "N/(km/h)^2"),
    "options.pack": ("pack", "platform option"),
    "options.wheels": ("wheels and tyres", "platform option"),
    "options.drive_units": ("drive units", "platform options joined by +"),
    "options.range_extender": ("range extender", "platform option or none"),
    "overrides.aux_power": ("auxiliary power", "W, blank: the platform's"),
    "overrides.energy_management.strategy": ("energy management strategy",
                                             "thermostat, load_following, hold or operating_point"),
    "overrides.energy_management.soc_low": ("engine on below SOC", "fraction of gross capacity"),
    "overrides.energy_management.soc_target": ("SOC target", "fraction of gross capacity"),
    "overrides.energy_management.soc_high": ("engine off above SOC", "fraction of gross capacity"),
    "overrides.energy_management.gain": ("load-following gain", "e.g. 1.0 1/h"),
    "overrides.range_extender.fuel_tank_volume": ("fuel tank", "e.g. 45 l"),
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MAX_VALUE_CHARS = 200


def _value(path: str, value: Any) -> Any:
    """The TOML value of one form value: a number when it is a bare number, else the text."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, list)):
        raise SpecError("expected a text or a number", field=path, value=value)
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError("expected a finite number", field=path, value=value)
    text = str(value).strip()
    if len(text) > MAX_VALUE_CHARS:
        raise SpecError("value too long", field=path, value=text[:40] + "...",
                        allowed=f"at most {MAX_VALUE_CHARS} characters")
    if text == "":
        return None
    if path == "options.drive_units":
        return [p.strip() for p in re.split(r"[+,]", text) if p.strip()]
    if path == "options.range_extender" and text.lower() in ("none", "-"):
        return None
    if _NUMBER.match(text) and path != "label":
        number = float(text)
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    return text


def apply_edits(raw: dict, edits: dict[str, Any]) -> dict:
    """A deep copy of a derivative's TOML table with the edits applied (a blank value removes
    the key, so the platform's or the model's default applies)."""
    out = copy.deepcopy(raw)
    for path, value in (edits or {}).items():
        if path not in EDITABLE:
            raise SpecError("not an editable field", field=path,
                            allowed=", ".join(EDITABLE))
        v = _value(path, value)
        keys = path.split(".")
        node = out
        for k in keys[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                raise SpecError("not a table in the derivative", field=path)
        if v is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = v
    return out


def flat_values(raw: dict) -> dict[str, str]:
    """The form's current values: path -> text as in the TOML."""
    out = {}
    for path in EDITABLE:
        node: Any = raw
        for k in path.split("."):
            node = node.get(k) if isinstance(node, dict) else None
        if node is None:
            out[path] = ""
        elif isinstance(node, list):
            out[path] = "+".join(map(str, node))
        else:
            out[path] = str(node)
    return out


def resolve_edited(raw: dict, source_file: str):
    """The Variant of an edited derivative table, checked by the spec layer as a file would be;
    relative references resolve from ``source_file`` (the derivative's own file)."""
    from skateboard.api import spec_models as m
    from skateboard.api import resolve_variant

    deriv = m.validate(m.Derivative, raw, file=source_file)
    deriv._source_file = source_file
    return resolve_variant(deriv, file=source_file)


# --- TOML out ---------------------------------------------------------------------------------

def _toml_key(k: str) -> str:
    return k if re.match(r"^[A-Za-z0-9_-]+$", k) else _toml_str(k)


def _toml_str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _toml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_scalar(x)}" for k, x in v.items()) + "}"
    return _toml_str(str(v))


def to_toml(data: dict, header: str = "") -> str:
    """A TOML document of nested tables of scalars and lists (a derivative's shape)."""
    lines = [f"# {line}" for line in header.splitlines()] + ([""] if header else [])

    def table(node: dict, prefix: str) -> None:
        scalars = {k: v for k, v in node.items() if not isinstance(v, dict)}
        subs = {k: v for k, v in node.items() if isinstance(v, dict)}
        if prefix and (scalars or not subs):
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{_toml_key(k)} = {_toml_scalar(v)}")
        if scalars:
            lines.append("")
        for k, v in subs.items():
            table(v, f"{prefix}.{_toml_key(k)}" if prefix else _toml_key(k))

    table(data, "")
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["EDITABLE", "apply_edits", "flat_values", "resolve_edited", "to_toml"]
