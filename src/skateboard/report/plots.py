"""Figures of the HTML report (matplotlib, no pyplot: figures render on the Agg canvas).

Each function returns a :class:`matplotlib.figure.Figure` with a title, axis labels with units
and a legend; :func:`figure_to_data_uri` turns one into an inline ``data:image/png;base64`` URI
so the report needs no network and no side files. Figures are built without ``pyplot``, so
nothing here touches matplotlib's global backend or figure registry.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from skateboard.markets import CLIMATE_CASES_C  # the climate panel's ambient temperatures

#: Cycle driven for the energy breakdown and speed traces.
CYCLE = "wltc_class3b"
#: Repeats of the cycle for the EREV charge-depleting + charge-sustaining SOC plot.
EREV_REPEATS = 12
#: A step counts as a trace miss when achieved speed < target - this [km/h].
MISS_TOLERANCE_KMH = 0.1

J_PER_WH = 3600.0

#: Energy sinks of the consumption breakdown: (to_pandas column, legend label, colour).
SINKS = (
    ("energy_aero_j", "aerodynamic drag", "#4c72b0"),
    ("energy_rolling_j", "rolling resistance", "#dd8452"),
    ("energy_grade_j", "grade (climbing)", "#8c8c8c"),
    ("energy_inertia_j", "inertia (net kinetic)", "#b39ddb"),
    ("energy_drivetrain_loss_j", "drivetrain losses", "#c44e52"),
    ("energy_battery_loss_j", "battery losses", "#8172b3"),
    ("energy_aux_j", "auxiliaries / HVAC", "#937860"),
    ("energy_friction_brake_j", "friction brakes", "#da8bc3"),
    ("energy_engine_loss_j", "engine losses", "#64b5cd"),
    ("energy_generator_loss_j", "generator losses", "#ccb974"),
)
REGEN_COLUMN = "energy_regen_j"
#: Sinks smaller than this in every variant [Wh/km] are left out of the legend.
NEGLIGIBLE_WH_PER_KM = 0.05


def variant_colours(names: Sequence[str]) -> dict:
    """A stable colour per variant name (tab10 in program order)."""
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {n: cmap(i % 10) for i, n in enumerate(names)}


def figure_to_data_uri(fig: Figure, *, dpi: int = 100) -> str:
    """PNG of ``fig`` as a ``data:`` URI (no metadata, so no software URL inside)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _variant_names(evaluation) -> list[str]:
    prog = getattr(evaluation, "program", None)
    names = [v.name for v in getattr(prog, "variants", None) or []]
    for n in evaluation.table["variant"]:
        if n not in names:
            names.append(n)
    return [n for n in names if n in set(evaluation.table["variant"])] or names


# --------------------------------------------------------------------------------------------
# 1. range by market and climate
# --------------------------------------------------------------------------------------------

def plot_range(evaluation) -> Figure:
    """Grouped bars of ``range_km`` per variant and market, and range vs ambient temperature."""
    table = evaluation.table
    names = _variant_names(evaluation)
    colours = variant_colours(names)
    markets = list(dict.fromkeys(table["market"]))
    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [max(len(markets), 2), 2]})

    width = 0.8 / max(len(names), 1)
    x = np.arange(len(markets))
    electric_labelled = False
    for i, name in enumerate(names):
        rows = table[table["variant"] == name].set_index("market")
        total = np.array([float(rows["range_km"].get(m, np.nan)) for m in markets])
        electric = np.array([float(rows["electric_range_km"].get(m, np.nan)) for m in markets])
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(pos, np.nan_to_num(total), width, color=colours[name], label=name, edgecolor="white")
        partial = np.isfinite(electric) & np.isfinite(total) & (electric < total - 0.5)
        if partial.any():
            ax.bar(pos[partial], electric[partial], width, fill=False, hatch="///",
                   edgecolor="black", linewidth=0.0,
                   label=None if electric_labelled else "electric part (range-extended)")
            electric_labelled = True
    ax.set_xticks(x, markets)
    ax.set_xlabel("market (headline procedure of that market)")
    ax.set_ylabel("range [km]")
    ax.set_title("Range by market")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(0, -0.14), ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)

    climate = evaluation.details.get("climate") if evaluation.details else None
    if climate is not None and len(climate):
        for name in names:
            rows = climate[climate["variant"] == name].sort_values("ambient_c")
            if len(rows):
                ax2.plot(rows["ambient_c"], rows["range_km"], marker="o", color=colours[name], label=name)
        ax2.legend(fontsize="small")
    else:
        ax2.text(0.5, 0.5, "no climate cases\nin these markets", ha="center", va="center",
                 transform=ax2.transAxes)
        ax2.plot([], [], label="(no data)")
        ax2.legend(fontsize="small")
    ax2.set_xticks(CLIMATE_CASES_C)
    ax2.set_xlabel("ambient temperature [°C]")
    ax2.set_ylabel("range [km] (range-extended: electric only)")
    ax2.set_title("Range vs ambient temperature (WLTC 3b, HVAC on)")
    ax2.grid(alpha=0.3)
    fig.suptitle("Range by market and climate")
    return fig


# --------------------------------------------------------------------------------------------
# 2. consumption breakdown by energy sink
# --------------------------------------------------------------------------------------------

def energy_breakdown(variants: Sequence, cycle: str = CYCLE) -> pd.DataFrame:
    """Per variant (index), energy by sink and regen [Wh/km] over one run of ``cycle``."""
    from skateboard.cycles import load_cycle
    from skateboard.engine import simulate

    variants = list(variants)
    res = simulate(variants, load_cycle(cycle))
    df = res.to_pandas(charger_efficiency=[v.charger_efficiency for v in variants]).set_index("variant")
    km = df["distance_km"].where(df["distance_km"] > 0)
    out = pd.DataFrame(index=df.index)
    for col, _, _ in SINKS:
        if col in df:
            out[col.replace("_j", "_wh_per_km")] = df[col] / J_PER_WH / km
    out["energy_regen_wh_per_km"] = df[REGEN_COLUMN] / J_PER_WH / km
    out["distance_km"] = df["distance_km"]
    return out


def plot_consumption_breakdown(variants: Sequence, cycle: str = CYCLE,
                               breakdown: pd.DataFrame | None = None) -> Figure:
    """Stacked bars of energy per sink [Wh/km] per variant; regen as a separate bar."""
    data = energy_breakdown(variants, cycle) if breakdown is None else breakdown
    names = list(data.index)
    x = np.arange(len(names))
    w = 0.38
    fig = Figure(figsize=(max(7.0, 1.9 * len(names) + 3.5), 5.0), layout="constrained")
    ax = fig.subplots()
    pos_base = np.zeros(len(names))
    neg_base = np.zeros(len(names))
    for col, label, colour in SINKS:
        key = col.replace("_j", "_wh_per_km")
        if key not in data:
            continue
        vals = data[key].to_numpy(dtype=float)
        vals = np.nan_to_num(vals)
        if np.all(np.abs(vals) < NEGLIGIBLE_WH_PER_KM):
            continue
        pos = np.clip(vals, 0, None)
        neg = np.clip(vals, None, 0)
        ax.bar(x - w / 2, pos, w, bottom=pos_base, color=colour, label=label, edgecolor="white")
        if np.any(neg < 0):
            ax.bar(x - w / 2, neg, w, bottom=neg_base, color=colour, edgecolor="white", hatch="..")
        pos_base += pos
        neg_base += neg
    total = pos_base + neg_base
    for xi, t in zip(x, total):
        ax.annotate(f"{t:.0f}", (xi - w / 2, max(t, 0)), ha="center", va="bottom", fontsize="small",
                    xytext=(0, 2), textcoords="offset points")
    regen = np.nan_to_num(data["energy_regen_wh_per_km"].to_numpy(dtype=float))
    ax.bar(x + w / 2, regen, w, color="#55a868", hatch="//", edgecolor="white",
           label="recovered by regenerative braking\n(re-used; not added to the stack)")
    for xi, r in zip(x, regen):
        ax.annotate(f"{r:.0f}", (xi + w / 2, r), ha="center", va="bottom", fontsize="small",
                    xytext=(0, 2), textcoords="offset points")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, names)
    ax.set_xlabel("variant (left bar: energy by sink, total on top; right bar: regen)")
    ax.set_ylabel("energy per distance [Wh/km] (battery electrochemical)")
    ax.set_title(f"Consumption breakdown by energy sink over one {cycle}")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
# 3. SOC and engine operation of range-extended variants
# --------------------------------------------------------------------------------------------

def erev_trace(variant, cycle: str = CYCLE, repeats: int = EREV_REPEATS) -> pd.DataFrame:
    """Time series of ``repeats`` back-to-back cycles (charge-depleting then -sustaining)."""
    from skateboard.cycles import load_cycle
    from skateboard.engine import simulate

    return simulate([variant], load_cycle(cycle), repeats=repeats, record=True).trace_frame(0)


def plot_erev_operation(variant, cycle: str = CYCLE, repeats: int = EREV_REPEATS,
                        trace: pd.DataFrame | None = None) -> Figure:
    """SOC [%] and range-extender power [kW] vs time over the CD + CS run of one EREV."""
    tf = erev_trace(variant, cycle, repeats) if trace is None else trace
    t_min = tf["time_s"].to_numpy() / 60.0
    fig = Figure(figsize=(11, 5.5), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(t_min, tf["soc"] * 100.0, color="#4c72b0", label="state of charge")
    ax1.set_ylabel("SOC [%]")
    ax1.set_ylim(0, 100)
    ax2.plot(t_min, tf["battery_power_w"] / 1000.0, color="#8c8c8c", linewidth=0.5, alpha=0.6,
             label="battery terminal power (discharge +)")
    ax2.plot(t_min, tf["engine_power_w"] / 1000.0, color="#c44e52", linewidth=0.8,
             label="range-extender power")
    ax2.set_ylabel("power [kW]")
    ax2.set_xlabel("time [min]")
    on = np.flatnonzero(tf["engine_power_w"].to_numpy() > 1.0)
    for ax in (ax1, ax2):
        if len(on):
            ax.axvline(t_min[on[0]], color="black", linestyle="--", linewidth=0.8,
                       label=f"engine first on ({t_min[on[0]]:.0f} min): charge-sustaining")
        ax.grid(alpha=0.3)
    ax1.legend(fontsize="small", loc="upper right")
    ax2.legend(fontsize="small", loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, frameon=False)
    note = "" if len(on) else " (engine never started)"
    fig.suptitle(f"{variant.name}: SOC and range-extender operation over {repeats} x {cycle}{note}")
    return fig


# --------------------------------------------------------------------------------------------
# 4. speed traces with trace misses
# --------------------------------------------------------------------------------------------

def speed_traces(variants: Sequence, cycle: str = CYCLE) -> list[pd.DataFrame]:
    """One recorded run of ``cycle`` per variant (batch), as trace frames."""
    from skateboard.cycles import load_cycle
    from skateboard.engine import simulate

    variants = list(variants)
    res = simulate(variants, load_cycle(cycle), record=True)
    return [res.trace_frame(i) for i in range(len(variants))]


def trace_misses(trace: pd.DataFrame, tolerance_kmh: float = MISS_TOLERANCE_KMH) -> np.ndarray:
    """Boolean mask of the steps where achieved speed < target - ``tolerance_kmh``."""
    return (trace["speed_kmh"] < trace["target_speed_kmh"] - tolerance_kmh).to_numpy()


def plot_speed_trace(name: str, trace: pd.DataFrame, cycle: str = CYCLE) -> Figure:
    """Target vs achieved speed of one variant, misses marked red."""
    miss = trace_misses(trace)
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    ax = fig.subplots()
    t = trace["time_s"].to_numpy()
    ax.plot(t, trace["target_speed_kmh"], color="black", linestyle="--", linewidth=0.9, label="target speed")
    ax.plot(t, trace["speed_kmh"], color="#4c72b0", linewidth=0.9, alpha=0.8, label="achieved speed")
    if miss.any():
        ax.scatter(t[miss], trace["speed_kmh"].to_numpy()[miss], s=9, color="red", zorder=3,
                   label=f"trace miss (achieved < target - {MISS_TOLERANCE_KMH:g} km/h)")
        status = f"{int(miss.sum())} steps of trace misses"
    else:
        status = "no trace misses"
    ax.set_xlabel("time [s]")
    ax.set_ylabel("speed [km/h]")
    ax.set_title(f"{name}: speed trace over {cycle} - {status}")
    ax.legend(fontsize="small", loc="upper left")
    ax.grid(alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
# charging power and simulated time series (Results.plot)
# --------------------------------------------------------------------------------------------

def plot_charging(variants: Sequence, temperatures_c: Sequence[float] = (23.0, -7.0)) -> Figure:
    """DC charging power [kW] over displayed SOC of each variant's pack, at 23 degC and cold
    (:mod:`skateboard.procedures.charging`)."""
    from skateboard.physics import climate
    from skateboard.procedures import charging

    names = [v.name for v in variants]
    colours = variant_colours(names)
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.subplots()
    soc = np.linspace(0.0, 1.0, 201)
    for v in variants:
        for t, style in zip(temperatures_c, ("-", "--")):
            p = charging.power_curve(v.pack, soc, float(climate.battery_temperature_k(t)))
            ax.plot(100 * soc, p / 1e3, style, color=colours[v.name], label=f"{v.name}, {t:g} °C")
    ax.axvspan(100 * charging.SOC_START, 100 * charging.SOC_END, color="grey", alpha=0.1,
               label="10-80 %")
    ax.set_xlabel("displayed state of charge [%]")
    ax.set_ylabel("DC charging power [kW]")
    ax.set_title("DC fast-charging power (pack temperature = cold-soaked ambient)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def plot_timeseries(timeseries: pd.DataFrame, names: Sequence[str] | None = None) -> Figure:
    """Speed [km/h] and SOC [%] over time of a recorded simulation (``variant`` column)."""
    names = list(names or dict.fromkeys(timeseries["variant"]))
    colours = variant_colours(names)
    fig = Figure(figsize=(11, 5), layout="constrained")
    ax, ax2 = fig.subplots(2, 1, sharex=True)
    for n in names:
        tr = timeseries[timeseries["variant"] == n]
        ax.plot(tr["time_s"], tr["speed_kmh"], color=colours[n], linewidth=0.9, label=n)
        ax2.plot(tr["time_s"], 100 * tr["soc"], color=colours[n], linewidth=0.9, label=n)
    ax.set_ylabel("speed [km/h]")
    ax2.set_ylabel("state of charge [%]")
    ax2.set_xlabel("time [s]")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    ax2.grid(alpha=0.3)
    fig.suptitle("Simulated speed and state of charge")
    return fig
