"""Hypothesis strategies of the fuzz test (tests/test_fuzz.py): quantity strings, hostile
values, specification files, drive-cycle CSV text, --vary specifications, file references and
command lines."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "skateboard" / "data"


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
NUMBERS = st.one_of(
    st.integers(-10 ** 6, 10 ** 6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=1e-3, max_value=1e4).map(lambda x: f"{x:.4g}"),
    st.sampled_from(["1e400", "-1e400", "1e-400", "9**9**9", "10**400", "2^10", "1e308", ".5",
                     "5.", "0", "-0", "1_000", "0x10", "1e3e3", "1" * 79, "1" * 400]))
UNITS = st.sampled_from([
    "kg", "t", "g", "kWh", "Wh", "J", "MJ", "W", "kW", "hp", "V", "mV", "ohm", "mohm", "m", "mm",
    "km", "m^2", "m**2", "m²", "l", "%", "percent", "N/kN", "degC", "°C", "K", "rpm", "rad/s",
    "N*m", "Nm", "N/(km/h)", "N/(km/h)^2", "1/h", "s", "h", "", "parsec", "__class__", "nan",
    "inf", "e", "pi", "(km/h)**99", "m^-2", "kg^2", "((((m))))", "µm", "Ω", "xyz", "kg**9**9",
    "s^99999999999"])
OPS = st.sampled_from([" * ", " / ", "*", "/", " ", "**", "^", " x ", "(", ")", "-"])


@st.composite
def quantity_strings(draw):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(TEXT)
    if kind == 1:
        return draw(st.text(alphabet="0123456789.eE+-*/^() kgmWhJ%", min_size=1, max_size=200))
    terms = draw(st.lists(st.tuples(NUMBERS, UNITS), min_size=1, max_size=4))
    ops = draw(st.lists(OPS, min_size=len(terms), max_size=len(terms)))
    text = "".join(f"{n} {u}{op}" for (n, u), op in zip(terms, ops))
    return text[:-len(ops[-1])] if draw(st.booleans()) and ops[-1] else text


def nested(depth: int):
    value: object = "1 kg"
    for _ in range(depth):
        value = [value]
    return value


VALUES = st.one_of(
    quantity_strings(),
    st.integers(min_value=-10 ** 500, max_value=10 ** 500),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(quantity_strings(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "speed", "torque", "efficiency"]), quantity_strings(),
                    max_size=2),
    st.integers(1, 60).map(nested),
    st.sampled_from(["", " ", "../../../../etc/passwd", "/etc/passwd", "b10", "67kwh", "rear",
                     "19in", "1500cc", "thermostat", "LFP", "NMC", "pmsm_generic", "E10"]),
)

def _info(path: str):
    """The QuantityInfo of a spec path (derivative or platform), or None."""
    from skateboard.spec import models as m

    keys = path.split(".")
    table = {("top_hat",): m.TopHat, ("overrides",): m.Overrides,
             ("overrides", "pack"): m.PackOverrides, ("packs", "*"): m.PackOption,
             ("drive_units", "*"): m.DriveUnitOption, ("chassis",): m.Chassis,
             ("wheels", "*"): m.WheelOption, ("range_extenders", "*"): m.RangeExtenderOption,
             ("overrides", "range_extender"): m.RangeExtenderOverrides, (): m.Platform}
    head = tuple("*" if keys[0] in ("packs", "drive_units", "wheels", "range_extenders") and i == 1
                 else k for i, k in enumerate(keys[:-1]))
    model = table.get(head)
    info = model.model_fields.get(keys[-1]) if model is not None else None
    for meta in getattr(info, "metadata", []):
        q = getattr(meta, "func", None)
        if isinstance(q, m.QuantityInfo):
            return q
    return None


def plausible(path: str):
    """Values inside the field's documented range, as a bare SI number or with its SI unit."""
    info = _info(path)
    if info is None or info.minimum is None or info.maximum is None:
        return st.nothing()
    x = st.floats(info.minimum, info.maximum).filter(lambda v: v > info.minimum or
                                                     not info.exclusive_minimum)
    return st.one_of(x, x.map(lambda v: f"{v:.6g} {info.unit}".strip()))


def field_values(path: str):
    return st.one_of(VALUES, plausible(path), plausible(path))


DERIVATIVE_FIELDS = [
    "top_hat.curb_mass", "top_hat.front_mass_share", "top_hat.optional_equipment_mass",
    "top_hat.rotating_inertia_fraction", "top_hat.drag_coefficient", "top_hat.frontal_area",
    "top_hat.rolling_resistance_coefficient", "top_hat.f0", "top_hat.f1", "top_hat.f2",
    "options.pack", "options.drive_units", "options.wheels", "options.range_extender",
    "overrides.aux_power", "overrides.charger_efficiency", "overrides.pack.resistance",
    "overrides.pack.max_discharge_power", "overrides.pack.max_charge_power",
    "overrides.range_extender.fuel_tank_volume", "overrides.range_extender.fuel",
    "overrides.energy_management.strategy", "overrides.energy_management.soc_low",
    "overrides.energy_management.soc_high", "overrides.energy_management.gain",
    "name", "label", "maker", "platform", "top_hat", "options", "unknown_field"]
PLATFORM_FIELDS = [
    "charger_efficiency", "aux_power", "packs.67kwh.usable_energy", "packs.67kwh.gross_energy",
    "packs.67kwh.nominal_voltage", "packs.67kwh.resistance", "packs.67kwh.max_discharge_power",
    "packs.67kwh.max_charge_power", "packs.67kwh.chemistry", "packs.67kwh.mass",
    "packs.28kwh.usable_energy", "packs.28kwh.nominal_voltage",
    "drive_units.rear.peak_power", "drive_units.rear.continuous_power",
    "drive_units.rear.peak_torque", "drive_units.rear.max_speed", "drive_units.rear.gear_ratio",
    "drive_units.rear.gearbox_efficiency", "drive_units.rear.loss_map", "drive_units.rear.axle",
    "drive_units.rear.zero_torque_loss_factor", "chassis.wheelbase", "chassis.max_gross_mass",
    "chassis.max_rear_axle_load", "chassis.cg_height", "wheels.19in.size",
    "wheels.19in.rolling_radius", "wheels.19in.rolling_resistance_coefficient",
    "range_extenders.1500cc.engine_max_power", "range_extenders.1500cc.engine_efficiency",
    "range_extenders.1500cc.efficiency_load_fractions", "range_extenders.1500cc.fuel",
    "range_extenders.1500cc.idle_fuel_power", "range_extenders.1500cc.peak_engine_efficiency",
    "energy_management.strategy",
    "energy_management.soc_low", "name", "packs", "chassis"]


def _bundled(kind: str, name: str) -> dict:
    with open(DATA / kind / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _set(data: dict, path: str, value) -> None:
    keys = path.split(".")
    for k in keys[:-1]:
        nxt = data.get(k)
        if not isinstance(nxt, dict):
            nxt = data[k] = {}
        data = nxt
    data[keys[-1]] = value


RAW = st.one_of(
    st.binary(max_size=300),
    TEXT,
    st.integers(1, 6000).map(lambda n: "variants = " + "[" * n + "]" * n + "\n"),
    st.integers(1, 6000).map(lambda n: "a = " + "{b = " * n + "1" + "}" * n + "\n"),
    st.integers(1, 6000).map(lambda n: "a" + ".a" * n + " = 1\n"),
    st.integers(4000, 6000).map(lambda n: "curb_mass = " + "9" * n + "\n"),
)


@st.composite
def spec_cases(draw):
    base = draw(st.sampled_from(["hongqi-b10-bev", "hongqi-b10-erev", "leapmotor-b10"]))
    derivative = _bundled("derivatives", base)
    files: dict = {}
    if draw(st.booleans()):
        platform = _bundled("platforms", "b10")
        for path in draw(st.lists(st.sampled_from(PLATFORM_FIELDS), max_size=3)):
            _set(platform, path, draw(field_values(path)))
        files["platform.toml"] = draw(RAW) if draw(st.integers(0, 15)) == 0 else platform
        derivative["platform"] = "platform.toml"
    for path in draw(st.lists(st.sampled_from(DERIVATIVE_FIELDS), max_size=3)):
        _set(derivative, path, draw(field_values(path)))
    files["derivative.toml"] = draw(RAW) if draw(st.integers(0, 10)) == 0 else derivative
    program = {"name": "fuzz", "title": "fuzz", "variants": ["derivative.toml"]}
    if draw(st.integers(0, 10)) == 0:
        _set(program, draw(st.sampled_from(["name", "variants", "reference", "markets", "x"])),
             draw(VALUES))
    files["program.toml"] = draw(RAW) if draw(st.integers(0, 15)) == 0 else program
    return {"type": "spec", "files": files}


CELLS = st.one_of(
    st.integers(-10, 600).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "fast", "1e400", "nan", "-inf", "1,5", "\x00", "0x10", "1_0"]))


@st.composite
def cycle_texts(draw):
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.one_of(st.binary(max_size=300), TEXT))
    header = draw(st.sampled_from(["time_s,speed_kmh", "time_s,speed_kmh,grade_percent",
                                   "time_s,speed_kmh", "time_s,speed_kmh,grade_percent",
                                   "time_s,speed_kph", "time,speed",
                                   "root:x:0:0:root:/root:/bin/bash", "time_s", "",
                                   "\ufefftime_s,speed_kmh", "time_s,time_s,speed_kmh"]))
    n = draw(st.integers(0, 300))
    dt = draw(st.sampled_from([1.0, 1.0, 1.0, 0.5, 0.1, 0.001, 0.0, -1.0, 3600.0, 7200.0, 1e-9,
                               10.0, 1e300]))
    ncol = header.count(",") + 1
    speed = st.floats(0, 200) if draw(st.booleans()) else st.one_of(
        st.floats(0, 200), st.floats(allow_nan=True, allow_infinity=True))
    speeds = draw(st.lists(speed, min_size=n, max_size=n))
    lines = [header]
    messy = kind == 1
    for i, v in enumerate(speeds):
        cells = [repr(i * dt), repr(v)] + [repr(draw(st.floats(-40, 40)))] * (ncol - 2)
        if messy and draw(st.integers(0, 20)) == 0:
            cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
        if messy and draw(st.integers(0, 40)) == 0:
            cells.append("7")
        lines.append(",".join(cells[:max(ncol, 1)] if not messy else cells))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + end


VARY_FIELDS = st.sampled_from([
    "top_hat.curb_mass", "top_hat.drag_coefficient", "top_hat.frontal_area", "curb_mass",
    "pack", "wheels", "drive_units", "range_extender", "drive_units.rear.peak_power",
    "drive_units.rear.gear_ratio", "drive_units.front.peak_power", "aux_power",
    "charger_efficiency", "pack.usable_energy", "pack.gross_energy", "top_hat.f0", "max_speed",
    "", "top_hat", "options.pack"])


VARY_PATHS = {"top_hat.curb_mass": "top_hat.curb_mass", "curb_mass": "top_hat.curb_mass",
              "top_hat.drag_coefficient": "top_hat.drag_coefficient",
              "top_hat.frontal_area": "top_hat.frontal_area", "aux_power": "overrides.aux_power",
              "charger_efficiency": "overrides.charger_efficiency",
              "pack.usable_energy": "packs.x.usable_energy",
              "drive_units.rear.peak_power": "drive_units.x.peak_power",
              "drive_units.rear.gear_ratio": "drive_units.x.gear_ratio"}


#: Ranges around the bundled values, where a sweep plan is valid (a third of the cases).
CLEAN_VARY = {"top_hat.curb_mass": (1600, 1900, "kg"), "top_hat.drag_coefficient": (0.2, 0.4, ""),
              "top_hat.frontal_area": (2.0, 3.0, "m^2"), "aux_power": (0.0, 2000.0, "W"),
              "charger_efficiency": (0.8, 0.95, ""), "pack.usable_energy": (50.0, 65.0, "kWh"),
              "drive_units.rear.peak_power": (100.0, 200.0, "kW"),
              "drive_units.rear.gear_ratio": (8.0, 12.0, "")}


@st.composite
def clean_vary(draw):
    field = draw(st.sampled_from(sorted(CLEAN_VARY) + ["pack", "wheels"]))
    if field in ("pack", "wheels"):
        items = {"pack": ["56kwh", "67kwh"], "wheels": ["18in", "19in"]}[field]
        spec = "{" + ",".join(draw(st.permutations(items))) + "}"
    else:
        lo, hi, unit = CLEAN_VARY[field]
        a, b = sorted(draw(st.lists(st.floats(lo, hi), min_size=2, max_size=2, unique=True)))
        steps = draw(st.integers(2, 4))
        spec = f'"{a:.6g} {unit}".."{b:.6g} {unit}":{steps}' if unit else f"{a!r}..{b!r}:{steps}"
    return {"type": "vary", "vary": [f"hongqi-b10-bev.{field}={spec}"], "samples": None,
            "method": None}


@st.composite
def vary_specs(draw):
    variant = draw(st.sampled_from(["hongqi-b10-bev", "hongqi-b10-bev", "hongqi-b10-erev",
                                    "leapmotor-b10", "nobody", ""]))
    vary = []
    for _ in range(draw(st.integers(0, 2))):
        field = draw(VARY_FIELDS)
        kind = draw(st.integers(0, 4))
        if kind == 0:
            spec = draw(TEXT)
        elif kind == 1:
            items = draw(st.lists(st.one_of(quantity_strings(), st.sampled_from(
                ["56kwh", "67kwh", "28kwh", "18in", "19in", "rear", "1500cc", "none"])),
                max_size=4))
            spec = "{" + ",".join(items) + "}" if draw(st.booleans()) else "|".join(items)
        elif kind == 2 and _info(VARY_PATHS.get(field, "")) is not None:
            a, b = draw(plausible(VARY_PATHS[field])), draw(plausible(VARY_PATHS[field]))
            steps = draw(st.integers(2, 4))
            spec = f'"{a}".."{b}":{steps}' if isinstance(a, str) else f"{a!r}..{b!r}:{steps}"
        else:
            low, high = draw(quantity_strings()), draw(quantity_strings())
            steps = draw(st.one_of(st.none(), st.integers(-3, 20),
                                   st.integers(10 ** 17, 10 ** 40)))
            quote = draw(st.sampled_from(['"', "'", ""]))
            spec = f"{quote}{low}{quote}..{quote}{high}{quote}" + (
                "" if steps is None else f":{steps}")
        vary.append(f"{variant}.{field}={spec}" if draw(st.integers(0, 10)) else spec)
    return {"type": "vary", "vary": vary,
            "samples": draw(st.one_of(st.none(), st.none(), st.integers(-2, 10 ** 6))),
            "method": draw(st.sampled_from([None, None, "grid", "lhs", "sobol"]))}


REFERENCES = st.one_of(
    st.sampled_from(["/etc/passwd", "/etc/hostname", "~/.bashrc", "/proc/self/environ",
                     "/dev/zero", "/", "..", ".", "x.toml", "x.csv", "sub/../../x.toml",
                     "b10", "hongqi-b10-bev", "wltc_class3b", "\x00.toml", "a\x00/b.csv",
                     "~nobody-here/x.toml", "/work", "C:\\Windows\\win.ini"]),
    st.integers(1, 12).map(lambda k: "../" * k + "etc/passwd"),
    TEXT,
)


SWEPT = ["top_hat.curb_mass", "top_hat.front_mass_share", "top_hat.drag_coefficient",
         "top_hat.frontal_area", "top_hat.f1", "top_hat.f2", "overrides.aux_power",
         "overrides.charger_efficiency", "overrides.pack.resistance", "pack.usable_energy"]


@st.composite
def quantity_cases(draw):
    field = draw(st.sampled_from(SWEPT))
    spec_path = field if field.startswith(("top_hat", "overrides")) else "packs.x." + field[5:]
    value = draw(st.one_of(quantity_strings(), VALUES, plausible(spec_path)))
    return {"type": "quantity", "field": field, "value": value}


FLAG_VALUES = {
    "--variant": st.one_of(st.sampled_from(["leapmotor-b10", "hongqi-b10-bev", "[/x]"]), TEXT),
    "--cycle": st.one_of(st.sampled_from(["us06", "/etc/passwd", "../../etc/passwd", "x.csv",
                                          "wltc_clas3b", ""]), TEXT),
    "--markets": st.one_of(st.sampled_from(["eu", "eu,china", "../../etc/x", "mars", ""]), TEXT),
    "--timeseries": st.sampled_from(["ts.csv", "ts.parquet", "ts.txt", "/proc/ts.csv", ".",
                                     "no/such/dir/ts.csv"]),
    "--root": st.sampled_from([".", "/nonexistent", "/etc/passwd", "", "\x01"]),
    "--vary": st.one_of(st.sampled_from([
        'hongqi-b10-bev.top_hat.curb_mass="9**9**9 kg".."2 t":2',
        'hongqi-b10-bev.top_hat.curb_mass="10**400 kg".."2 t":2',
        "hongqi-b10-bev.top_hat.drag_coefficient=0.26..0.30:2",
        "hongqi-b10-bev.pack={56kwh,67kwh}"]), TEXT),
    "--samples": st.sampled_from(["2", "0", "-1", "abc", "1e3", "99999999999999999999999"]),
    "--method": st.sampled_from(["grid", "lhs", "sobol", ""]),
    "--chunk-size": st.sampled_from(["1", "0", "-5", "x"]),
    "--seed": st.sampled_from(["0", "-1", "1" * 30]),
    "--workers": st.sampled_from(["0", "-1", "2"]),
    "--executor": st.sampled_from(["local", "threads", ""]),
    "--x": st.sampled_from(["min:pack_gross_energy_kwh", "max:nothing", "[/x]", ""]),
    "--limit": st.sampled_from(["5", "-1", "x"]),
}
COMMANDS = {
    "simulate": ["--variant", "--cycle", "--timeseries", "--json"],
    "evaluate": ["--markets", "--json"],
    "sweep": ["--vary", "--samples", "--method", "--chunk-size", "--seed", "--executor",
              "--markets", "--workers"],
    "sweep-summary": ["--x", "--limit", "--json"],
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(COMMANDS)))
    args = []
    if draw(st.integers(0, 3)) == 0:
        args += ["--root", draw(FLAG_VALUES["--root"])]
    args.append(command)
    if command == "sweep":
        args += [draw(st.sampled_from(["hongqi-on-b10", "nothing.toml"])), "--quiet"]
    elif command == "sweep-summary":
        args.append(draw(st.sampled_from([".", "/etc", "nothing"])))
    elif draw(st.booleans()):
        args.append(draw(st.sampled_from(["hongqi-on-b10", "/etc/passwd", "p.toml", "x/"])))
    for flag in draw(st.lists(st.sampled_from(COMMANDS[command]), max_size=4)):
        args.append(flag)
        if flag != "--json":
            value = draw(FLAG_VALUES[flag])
            if flag == "--samples" and value.isdigit() and int(value) > 50:
                value = "3"  # a valid sweep runs: keep it small enough for the time limit
            args.append(value)
    return [a.replace("\x00", "") for a in args]
