"""Read platform, derivative and program files and resolve derivatives into variants.

A reference to another file (``platform = "b10"`` in a derivative, ``variants = [...]`` in a
program) is either a bundled name (no slash, no ``.toml``) or a path, relative to the file that
holds the reference, that must lie inside the workspace root (:mod:`skateboard.workspace`). Every problem is one :class:`~skateboard.errors.SpecError` naming the
file, the field, the value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from skateboard.errors import SpecError, close_matches, unknown_name
from skateboard.spec import models as m
from skateboard.spec import defaults as spec_defaults
from skateboard.spec.fuels import load_fuel
from skateboard.spec.toml_file import (  # noqa: F401 (MAX_TOML_* re-exported)
    MAX_TOML_BYTES, MAX_TOML_DEPTH, file_version, read_toml)
from skateboard.spec.bounds import check_pack
from skateboard.spec.provenance import (SpecWarning, check_own_wheels, defaulted, warn_forked,
                                        wheel_radius_limits)
from skateboard.spec.variant import (DriveUnit, EnergyManagement, Pack, RangeExtender,
                                     Variant)
from skateboard.workspace import checked_path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_FOLDERS = {"platform": "platforms", "derivative": "derivatives", "program": "programs"}

from skateboard.physics.constants import DRIVER_MASS  # noqa: E402  (75 kg, sourced there)


# ---------------------------------------------------------------------------------------------
# Files and names
# ---------------------------------------------------------------------------------------------

def _bundled(kind: str) -> list[str]:
    return sorted(p.stem for p in (DATA_DIR / _FOLDERS[kind]).glob("*.toml"))


def list_platforms() -> list[str]:
    """Names of the bundled platforms."""
    return _bundled("platform")


def list_derivatives() -> list[str]:
    """Names of the bundled derivatives."""
    return _bundled("derivative")


def list_programs() -> list[str]:
    """Names of the bundled programs."""
    return _bundled("program")


def _is_path(ref: str) -> bool:
    return ref.endswith(".toml") or "/" in ref or "\\" in ref


def locate(kind: str, ref: str | Path, *, relative_to: Path | None = None,
           file: str | None = None, field: str | None = None) -> Path:
    """The file a reference names: a path (relative to ``relative_to``) or a bundled name."""
    if isinstance(ref, Path) or (isinstance(ref, str) and _is_path(ref)):
        try:
            path = Path(ref).expanduser()
        except (RuntimeError, ValueError, KeyError):  # no home folder, a NUL character
            raise SpecError(f"cannot use this {kind} path", file=file, field=field,
                            value=str(ref)) from None
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        # inside the workspace root, or refused before the file is looked at (workspace.py)
        path = checked_path(path, kind=kind, file=file, field=field,
                            value=... if file is None else str(ref))
        if not path.is_file():
            if file is None:  # asked for directly: the missing file is the one to name
                raise SpecError(f"{kind} file not found", file=str(path))
            where = f" (resolved to {path})" if str(path) != str(ref) else ""
            raise SpecError(f"{kind} file not found{where}", file=file, field=field, value=str(ref))
        return path
    if not isinstance(ref, str):
        raise SpecError(f"expected a {kind} name or path", file=file, field=field, value=ref)
    if ref not in _bundled(kind):
        raise unknown_name(kind, ref, _bundled(kind), file=file, field=field)
    path = DATA_DIR / _FOLDERS[kind] / f"{ref}.toml"
    return path


_CACHE: dict = {}


def _load(model: type, kind: str, ref: str | Path, **where: Any) -> Any:
    """Load and validate a file. Validated models are cached by path, modification time and
    size (validation with pint costs about 30 ms per platform; a sweep resolves many options);
    callers get a deep copy, so changing one never changes another."""
    path = locate(kind, ref, **where)
    version = file_version(path)
    key = None if version is None else (model, *version)
    if key is not None and key in _CACHE:
        return _CACHE[key].model_copy(deep=True)
    data = read_toml(path)
    obj = m.validate(model, data, file=str(path))
    obj._source_file = str(path)
    if key is not None:
        _CACHE[key] = obj
        return obj.model_copy(deep=True)
    return obj


def load_platform(name_or_path: str | Path) -> m.Platform:
    """Load a platform: a bundled name (``"b10"``) or a path to a TOML file."""
    return _load(m.Platform, "platform", name_or_path)


def load_derivative(name_or_path: str | Path) -> m.Derivative:
    """Load a derivative file (not yet joined to its platform; see :func:`resolve_variant`)."""
    return _load(m.Derivative, "derivative", name_or_path)


# ---------------------------------------------------------------------------------------------
# Derivative + platform -> Variant
# ---------------------------------------------------------------------------------------------

def _option(platform: m.Platform, table: str, what: str, name: str, *, file: str | None,
            field: str) -> Any:
    offered = getattr(platform, table)
    if name not in offered:
        raise SpecError(f"{what} option not offered by platform {platform.name!r}"
                        f"{close_matches(name, offered)}", file=file, field=field, value=name,
                        allowed=", ".join(offered))
    return offered[name]


def resolve_variant(derivative: m.Derivative | str | Path, *, file: str | None = None) -> Variant:
    """Join a derivative to its platform, check the platform's limits and flatten to a Variant.

    Parameters
    ----------
    derivative : Derivative, or a bundled name or path (then loaded first).
    file : the file errors are reported against and relative platform paths are resolved from;
        defaults to the derivative's own file.
    """
    if not isinstance(derivative, m.Derivative):
        derivative = load_derivative(derivative)
    src = file or derivative.source_file
    base = Path(src).parent if src else None
    platform = _load(m.Platform, "platform", derivative.platform, relative_to=base, file=src,
                     field="platform")
    opts, top, over = derivative.options, derivative.top_hat, derivative.overrides

    # --- options ---
    pack_opt = _option(platform, "packs", "pack", opts.pack, file=src, field="options.pack")
    if derivative.wheels is not None:
        wheel_opt = derivative.wheels
        check_own_wheels(platform, wheel_opt, src)
    else:
        wheel_opt = _option(platform, "wheels", "wheel", opts.wheels, file=src,
                            field="options.wheels")
    warn_forked(platform, DATA_DIR / _FOLDERS["platform"])
    drive_units = []
    axles: dict[str, str] = {}
    for i, du_name in enumerate(opts.drive_units):
        where = f"options.drive_units[{i}]"
        du = _option(platform, "drive_units", "drive unit", du_name, file=src, field=where)
        if du_name in opts.drive_units[:i]:
            raise SpecError("drive unit listed twice", file=src, field=where, value=du_name,
                            allowed="each drive-unit option once, at most one per axle")
        if du.axle in axles:
            raise SpecError(f"two drive units on the {du.axle} axle ({axles[du.axle]!r} and "
                            f"{du_name!r})", file=src, field=where, value=du_name,
                            allowed="at most one drive unit per axle")
        axles[du.axle] = du_name
        drive_units.append(DriveUnit(
            name=du_name, axle=du.axle, peak_power=du.peak_power,
            continuous_power=du.continuous_power, peak_torque=du.peak_torque,
            max_speed=du.max_speed, gear_ratio=du.gear_ratio,
            gearbox_efficiency=du.gearbox_efficiency, loss_coefficients=du.loss_coefficients,
            mass=du.mass, zero_torque_loss_factor=du.zero_torque_loss_factor,
            loss_map=du.loss_map if isinstance(du.loss_map, str) else "table",
            motor_type=du.motor_type, inverter=du.inverter))

    pack = Pack(name=opts.pack, chemistry=pack_opt.chemistry,
                    usable_energy=pack_opt.usable_energy, gross_energy=pack_opt.gross_energy,
                    nominal_voltage=pack_opt.nominal_voltage, resistance=pack_opt.resistance,
                    max_discharge_power=pack_opt.max_discharge_power,
                    max_charge_power=pack_opt.max_charge_power, mass=pack_opt.mass,
                    max_current=pack_opt.max_current,
                    dc_charge_curve=None if pack_opt.dc_charge_curve is None else (
                        tuple(pack_opt.dc_charge_curve.soc), tuple(pack_opt.dc_charge_curve.power)),
                    dc_charge_derating=None if pack_opt.dc_charge_derating is None else (
                        tuple(pack_opt.dc_charge_derating.temperature),
                        tuple(pack_opt.dc_charge_derating.factor)))
    pack = replace(pack, **{k: v for k, v in over.pack.model_dump().items() if v is not None})
    if over.pack.max_discharge_power is not None:  # the current it needs at the voltage floor
        check_pack(chemistry=pack.chemistry, nominal_voltage=pack.nominal_voltage,
                   max_discharge_power=pack.max_discharge_power, max_current=pack.max_current,
                   file=src, prefix="overrides.pack")

    # --- range extender and its control ---
    rex = None
    rex_opt = None
    em = None
    if opts.range_extender is not None:
        if not platform.range_extenders:
            raise SpecError(f"platform {platform.name!r} has no range-extender slot", file=src,
                            field="options.range_extender", value=opts.range_extender,
                            allowed="no range_extender (the platform offers none)")
        rex_opt = _option(platform, "range_extenders", "range extender", opts.range_extender,
                          file=src, field="options.range_extender")
        rex = RangeExtender(
            name=opts.range_extender, max_power=rex_opt.max_power,
            efficiency_load_fractions=tuple(rex_opt.efficiency_load_fractions),
            engine_efficiency=tuple(rex_opt.engine_efficiency),
            generator_efficiency=rex_opt.generator_efficiency,
            idle_fuel_power=rex_opt.idle_fuel_power, min_on_time=rex_opt.min_on_time,
            start_fuel_energy=rex_opt.start_fuel_energy,
            cold_start_fuel_energy=rex_opt.cold_start_fuel_energy, fuel_tank_volume=rex_opt.fuel_tank_volume,
            fuel=rex_opt.fuel, mass=rex_opt.mass)
        rex = replace(rex, **{k: v for k, v in over.range_extender.model_dump().items()
                              if v is not None})
        rex = replace(rex, fuel_properties=load_fuel(rex.fuel))
        em = _energy_management(platform, derivative, pack, rex, src)
    else:
        for table in ("energy_management", "range_extender"):
            given = getattr(over, table).model_fields_set
            if given:
                key = sorted(given)[0]
                raise SpecError(f"overrides.{table} applies only to a derivative with a range "
                                "extender", file=src, field=f"overrides.{table}.{key}",
                                allowed="options.range_extender = " + (
                                    " | ".join(map(repr, platform.range_extenders))
                                    or "(none offered by the platform)"))

    # --- masses and axle loads ---
    chassis, chassis_defaulted = _laden_limits(platform.chassis, top.curb_mass)
    mro = top.curb_mass + DRIVER_MASS + top.optional_equipment_mass
    if mro > chassis.max_gross_mass:
        raise SpecError(f"the derivative's mass in running order {mro:.0f} kg exceeds the "
                        f"platform's maximum gross mass {chassis.max_gross_mass:.0f} kg",
                        file=src, field="top_hat.curb_mass", value=f"{top.curb_mass:g} kg",
                        allowed=f"curb_mass + {DRIVER_MASS:g} kg driver + optional_equipment_mass"
                        f" <= {chassis.max_gross_mass:g} kg")
    share = top.front_mass_share
    gross = chassis.max_gross_mass
    share_range = (f"front_mass_share between {max(0.0, 1 - chassis.max_rear_axle_load / gross):.3f}"
                   f" and {min(1.0, chassis.max_front_axle_load / gross):.3f}")
    for axle, load, limit in (("front", gross * share, chassis.max_front_axle_load),
                              ("rear", gross * (1 - share), chassis.max_rear_axle_load)):
        if load > limit * (1 + 1e-12):
            raise SpecError(f"static {axle} axle load at maximum gross mass {load:.0f} kg "
                            f"({gross:g} kg x {share if axle == 'front' else 1 - share:.3f}) "
                            f"exceeds the platform's maximum {axle} axle load {limit:.0f} kg",
                            file=src, field="top_hat.front_mass_share", value=share,
                            allowed=share_range)

    # --- road load ---
    rrc_speed = (top.rolling_resistance_speed_coefficient
                 if top.rolling_resistance_speed_coefficient is not None
                 else spec_defaults.ROLLING_RESISTANCE_SPEED_COEFFICIENT)
    if top.road_load_form == "coast_down":
        drag_coefficient = area = rrc = None
        f0, f1, f2 = top.f0, top.f1, top.f2
    else:
        drag_coefficient, area = top.drag_coefficient, top.frontal_area
        rrc = (top.rolling_resistance_coefficient if top.rolling_resistance_coefficient is not None
               else wheel_opt.rolling_resistance_coefficient)
        f0 = f1 = f2 = None

    defaults = defaulted(platform, derivative, pack_opt, wheel_opt, rex_opt if rex else None)
    defaults += tuple(f"chassis.{k}" for k in chassis_defaulted)
    wheels = opts.wheels or f"own ({wheel_opt.size or f'{wheel_opt.rolling_radius * 1e3:.0f} mm'})"
    options = {"pack": opts.pack, "drive_units": "+".join(opts.drive_units), "wheels": wheels}
    if opts.range_extender is not None:
        options["range_extender"] = opts.range_extender
    return Variant(
        name=derivative.name, label=derivative.label, platform=platform.name,
        maker=derivative.maker, powertrain="EREV" if rex is not None else "BEV",
        curb_mass=top.curb_mass, max_gross_mass=chassis.max_gross_mass,
        optional_equipment_mass=top.optional_equipment_mass, front_mass_share=share,
        max_front_axle_load=chassis.max_front_axle_load,
        max_rear_axle_load=chassis.max_rear_axle_load,
        rotating_inertia_fraction=top.rotating_inertia_fraction,
        wheelbase=chassis.wheelbase, track=chassis.track, cg_height=chassis.cg_height,
        wheel_radius=wheel_opt.rolling_radius,
        drag_coefficient=drag_coefficient, frontal_area=area, rolling_resistance_coefficient=rrc,
        f0=f0, f1=f1, f2=f2,
        pack=pack, drive_units=tuple(drive_units), range_extender=rex, energy_management=em,
        aux_power=over.aux_power if over.aux_power is not None else platform.aux_power,
        charger_efficiency=(over.charger_efficiency if over.charger_efficiency is not None
                            else platform.charger_efficiency),
        options=options, source_file=src, defaults=defaults,
        hvac_system=over.hvac_system if over.hvac_system is not None else platform.hvac_system,
        rolling_resistance_speed_coefficient=rrc_speed)


def _laden_limits(chassis: m.Chassis, curb_mass: float) -> tuple[m.Chassis, list[str]]:
    """The chassis with the maximum laden mass and axle loads a file left out derived from the
    derivative's curb mass (curb + 445 kg; each axle the whole laden mass:
    :data:`skateboard.spec.defaults.OCCUPANTS_AND_LUGGAGE`), and the names derived."""
    from skateboard.spec.defaults import OCCUPANTS_AND_LUGGAGE

    gross = chassis.max_gross_mass
    update = {}
    if gross is None:
        gross = update["max_gross_mass"] = curb_mass + OCCUPANTS_AND_LUGGAGE
    for k in ("max_front_axle_load", "max_rear_axle_load"):
        if getattr(chassis, k) is None:
            update[k] = gross
    return (chassis.model_copy(update=update) if update else chassis), list(update)


def usable_soc_window(pack: Pack) -> tuple[float, float]:
    """The pack's usable SOC window (fractions of gross capacity), as the engine computes it
    (:func:`skateboard.physics.battery.usable_window`)."""
    from skateboard.physics import battery

    table = battery.ocv_table(pack.chemistry, pack.nominal_voltage)
    capacity = battery.charge_capacity(table, pack.gross_energy)
    return battery.usable_window(table, capacity, pack.usable_energy)


def _energy_management(platform: m.Platform, derivative: m.Derivative, pack: Pack,
                       rex: RangeExtender, src: str | None) -> EnergyManagement:
    """Platform defaults overlaid with the derivative's overrides, checked against the pack."""
    values: dict[str, Any] = {}
    where: dict[str, tuple[str | None, str]] = {}
    for obj, file, prefix in ((platform.energy_management, platform.source_file, "energy_management"),
                              (derivative.overrides.energy_management, src,
                               "overrides.energy_management")):
        if obj is None:
            continue
        for key, value in obj.given().items():
            values[key] = value
            where[key] = (file, f"{prefix}.{key}")

    def error(key: str, message: str, allowed: str) -> SpecError:
        if key in where:
            file, fld = where[key]
        else:  # a parameter nobody gave: point at the table that chose the strategy
            file, fld = where["strategy"]
            fld = fld.rsplit(".", 1)[0] + f".{key}"
        return SpecError(message, file=file, field=fld, value=values.get(key, ...), allowed=allowed)

    strategy = values["strategy"]  # the platform always gives one (checked when it is loaded)
    needed = m.STRATEGY_PARAMETERS[strategy]
    for key in needed:
        if values.get(key) is None:
            raise error(key, f"strategy {strategy!r} needs {key}", ", ".join(needed))
    low, high = values["soc_low"], values["soc_high"]
    target = values.get("soc_target")
    if target is None:
        target = 0.5 * (low + high)
    if not low < high:
        raise error("soc_high", "soc_high must be above soc_low", f"> soc_low ({low:g})")
    if not low <= target <= high:
        raise error("soc_target", "soc_target must lie between soc_low and soc_high",
                    f"{low:g} .. {high:g}")
    window_low, window_high = usable_soc_window(pack)
    for key, value in (("soc_low", low), ("soc_target", target), ("soc_high", high)):
        if not window_low <= value <= window_high:
            raise error(key, f"{key} {value:g} lies outside the usable SOC window of pack "
                        f"{pack.name!r}", f"{window_low:.3f} .. {window_high:.3f} "
                        "(fractions of gross capacity)")
    best = values.get("best_efficiency_power") or 0.0
    if best > rex.max_power:
        raise error("best_efficiency_power", "best_efficiency_power exceeds the range "
                    "extender's max_power", f"<= {rex.max_power / 1e3:g} kW")
    gain = values.get("gain")
    min_power = values.get("min_power") or 0.0
    if min_power > rex.max_power:
        raise error("min_power", "min_power exceeds the range extender's maximum output",
                    f"<= {rex.max_power:g} W")
    return EnergyManagement(strategy=strategy, soc_target=target, soc_low=low, soc_high=high,
                            gain=m.DEFAULT_EM_GAIN if gain is None else gain,
                            best_efficiency_power=best, min_power=min_power)


# ---------------------------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Program:
    """A program: variants studied together, the markets to evaluate them in and their targets.

    name, title : from the file.
    variants : resolved variants in file order.
    markets : market names (may be empty).
    targets : variant name -> raw target table (validated by the evaluation layer).
    business : the raw ``[business]`` table or None (validated by :mod:`skateboard.economics`).
    reference_variant : name of the reference variant, or None.
    source_file : the program file.
    """

    name: str
    title: str
    variants: list[Variant]
    markets: list[str] = field(default_factory=list)
    targets: dict[str, dict] = field(default_factory=dict)
    reference_variant: str | None = None
    source_file: str | None = None
    warnings: tuple[str, ...] = ()
    business: dict | None = None

    @property
    def variant_names(self) -> list[str]:
        return [v.name for v in self.variants]

    def with_variant(self, variant: Variant, *, replaces: str | None = None,
                     targets: dict | None = None) -> "Program":
        """A copy of the program with ``variant`` added, or in place of the variant called
        ``replaces`` (same position). The new variant keeps the replaced one's targets unless
        ``targets`` is given (``{}`` for none); targets are checked as in a program file.

        >>> bev = prog.variant("hongqi-b10-bev").replace(name="light", curb_mass="1.8 t")
        >>> prog2 = prog.with_variant(bev, replaces="hongqi-b10-bev")
        """
        from skateboard.markets import list_markets
        from skateboard.targets import parse_targets

        if not isinstance(variant, Variant):
            raise SpecError("expected a Variant", field="variant", value=type(variant).__name__,
                            allowed="a Variant, e.g. program.variant(name).replace(...)")
        variants = list(self.variants)
        new_targets = {k: v for k, v in self.targets.items()}
        if replaces is not None:
            old = self.variant(replaces)  # unknown name -> SpecError listing the variants
            pos = variants.index(old)
            variants[pos] = variant
            kept = new_targets.pop(replaces, None)
            if targets is None and kept:
                new_targets[variant.name] = kept
        else:
            variants.append(variant)
        if [v.name for v in variants].count(variant.name) > 1:
            raise SpecError("two variants share one name", field="variant.name", value=variant.name,
                            allowed="a name not used by another variant of the program: "
                            "variant.replace(name=...)")
        if targets:
            new_targets[variant.name], _ = parse_targets(targets, variant=variant.name,
                                                         markets=list_markets())
        elif targets is not None:
            new_targets.pop(variant.name, None)
        reference = self.reference_variant
        if replaces is not None and reference == replaces:
            reference = variant.name
        return replace(self, variants=variants, targets=new_targets, reference_variant=reference)

    def variant(self, name: str) -> Variant:
        """The variant called ``name``; an unknown name lists the program's variants."""
        for v in self.variants:
            if v.name == name:
                return v
        raise unknown_name("variant", name, self.variant_names, file=self.source_file)


def load_program(name_or_path: str | Path) -> Program:
    """Load a program and resolve all its variants (a bundled name or a path)."""
    path = locate("program", name_or_path)
    src = str(path)
    spec = m.validate(m.ProgramSpec, read_toml(path), file=src)
    variants: list[Variant] = []
    found: list[str] = []
    for i, ref in enumerate(spec.variants):
        dpath = locate("derivative", ref, relative_to=path.parent, file=src, field=f"variants[{i}]")
        import warnings as _w

        with _w.catch_warnings(record=True) as caught:
            _w.simplefilter("always", SpecWarning)
            variant = resolve_variant(load_derivative(dpath))
        found += [str(c.message) for c in caught if issubclass(c.category, SpecWarning)]
        if variant.name in [v.name for v in variants]:
            raise SpecError("two variants share one name", file=src, field=f"variants[{i}]",
                            value=variant.name, allowed="derivatives with distinct names")
        variants.append(variant)
    names = [v.name for v in variants]
    if spec.reference is not None and spec.reference not in names:
        raise SpecError(f"reference is not one of the program's variants"
                        f"{close_matches(spec.reference, names)}", file=src, field="reference",
                        value=spec.reference, allowed=", ".join(names))
    from skateboard.markets import list_markets
    from skateboard.targets import parse_targets

    known = list_markets()
    for i, market in enumerate(spec.markets):  # named here, with the file, not later at run time
        if market not in known:
            raise unknown_name("market", market, known, file=src, field=f"markets[{i}]")
    targets: dict[str, dict] = {}
    warnings: list[str] = list(dict.fromkeys(found))
    for key, table in spec.targets.items():
        if key not in names:
            raise SpecError(f"targets for a variant the program does not have"
                            f"{close_matches(key, names)}", file=src, field=f"targets.{key}",
                            allowed=", ".join(names))
        targets[key], found = parse_targets(table, variant=key, markets=known, file=src)
        warnings += found
    return Program(name=spec.name, title=spec.title, variants=variants, markets=list(spec.markets),
                   targets=targets, reference_variant=spec.reference, source_file=src,
                   warnings=tuple(warnings), business=spec.business)


__all__ = [
    "DATA_DIR", "DRIVER_MASS", "Program", "SpecWarning", "list_derivatives", "list_platforms",
    "list_programs", "load_derivative", "load_platform", "load_program", "locate", "read_toml", "resolve_variant",
    "usable_soc_window", "wheel_radius_limits",
]
