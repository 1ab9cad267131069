"""Parts of the HTML report that lead it: the variant x market pass/fail matrix, the warnings,
the inputs table and the results split into tables that fit the page."""

from __future__ import annotations

import html
import math

import pandas as pd

from skateboard.jsonsafe import short_number

NONE_HTML = '<span class="none">&ndash;</span>'

#: The results, split so each table fits the width of a page.
RESULT_GROUPS = (
    ("Homologation: each market's headline procedure",
     ["variant", "market", "procedure", "range_km", "electric_range_km", "label_range_km",
      "label_range_mi", "mpge", "consumption_wh_per_km", "consumption_ac_wh_per_km",
      "energy_audit_residual"]),
    ("Fuel and CO2 (range-extended variants)",
     ["variant", "market", "fuel_weighted_l_per_100km", "fuel_cs_l_per_100km",
      "co2_weighted_g_per_km", "co2_cs_g_per_km", "regulatory_metric",
      "regulatory_target_g_per_km"]),
    ("Performance, climate and charging",
     ["variant", "market", "accel_0_100_s", "accel_80_120_s", "top_speed_kmh",
      "range_wltc_minus7c_km", "range_wltc_23c_km", "range_wltc_35c_km", "range_wltc_45c_km",
      "dc_charge_10_80_min", "dc_charge_10_80_cold_min", "dc_energy_10min_kwh",
      "dc_energy_20min_kwh"]),
    ("Motorway range (steady speed and Artemis motorway, 23 °C)",
     ["variant", "motorway_range_110_km", "motorway_range_120_km", "motorway_range_130_km",
      "motorway_range_artemis_km"]),
)

CSS = """
table.matrix td, table.matrix th { border: 1px solid #ddd; padding: 0.3em 0.6em; vertical-align: top; }
table.matrix { border-collapse: collapse; font-size: 0.9em; }
table.matrix td small { display: block; color: #8a1010; max-width: 22em; white-space: normal; }
table.results th { white-space: normal; max-width: 7em; word-break: break-word; }
table.inputs { border-collapse: collapse; font-size: 0.82em; }
table.inputs td, table.inputs th { border: 1px solid #ddd; padding: 0.2em 0.5em; }
table.inputs td { text-align: right; } table.inputs td:first-child { text-align: left; }
ul.warnings li { color: #7a5200; }
"""


def _esc(v) -> str:
    return html.escape(str(v), quote=True)


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _cell(v) -> str:
    if _missing(v) or v == "":
        return NONE_HTML
    if isinstance(v, bool):
        return '<span class="pass">pass</span>' if v else '<span class="fail">FAIL</span>'
    if isinstance(v, float):
        return short_number(v)
    return _esc(v)


def matrix_html(table: pd.DataFrame) -> str:
    """Variants down, markets across: pass, FAIL with the failed target names, or a dash."""
    markets = list(dict.fromkeys(table["market"]))
    head = "<tr><th>variant</th>" + "".join(f"<th>{_esc(m)}</th>" for m in markets) + "</tr>"
    body = []
    for name in dict.fromkeys(table["variant"]):
        rows = table[table["variant"] == name].set_index("market")
        cells = []
        for m in markets:
            met = rows["targets_met"].get(m) if m in rows.index else None
            if met is True or (met is not None and not _missing(met) and bool(met)):
                cells.append('<td><span class="pass">pass</span></td>')
            elif met is False or (met is not None and not _missing(met) and not bool(met)):
                names = [f.split(":", 1)[0] for f in str(rows["targets_failed"].get(m, "")).split("; ") if f]
                detail = _esc(rows["targets_failed"].get(m, ""))
                cells.append(f'<td title="{detail}"><span class="fail">FAIL</span>'
                             f"<small>{_esc(', '.join(names))}</small></td>")
            else:
                cells.append(f'<td title="no targets">{NONE_HTML}</td>')
        body.append(f"<tr><td>{_esc(name)}</td>{''.join(cells)}</tr>")
    return f'<table class="matrix"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def warnings_html(warnings) -> str:
    if not warnings:
        return '<p class="note">No plausibility or deprecation warnings.</p>'
    return '<ul class="warnings">' + "".join(f"<li>{_esc(w)}</li>" for w in warnings) + "</ul>"


def inputs_html(inputs: pd.DataFrame | None) -> str:
    """The inputs used: one column per variant, one row per value (fits any number of fields)."""
    if inputs is None or not len(inputs):
        return '<p class="note">No inputs recorded.</p>'
    t = inputs.set_index("variant").T
    head = "<tr><th>input</th>" + "".join(f"<th>{_esc(c)}</th>" for c in t.columns) + "</tr>"
    body = "".join(f"<tr><td><code>{_esc(idx)}</code></td>"
                   + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for idx, row in t.iterrows())
    return f'<div class="scroll"><table class="inputs"><thead>{head}</thead><tbody>{body}</tbody></table></div>'


def results_tables_html(table: pd.DataFrame, render) -> str:
    """The results in the groups of :data:`RESULT_GROUPS` (columns empty in every row left out;
    per-variant groups keep one row per variant); ``render`` turns a DataFrame into HTML."""
    out = []
    for title, cols in RESULT_GROUPS:
        cols = [c for c in cols if c in table and (c in ("variant", "market") or table[c].notna().any())]
        if len(cols) <= 2:
            continue
        part = table[cols]
        if "market" not in cols:
            part = part.drop_duplicates("variant")
        out.append(f"<h3>{_esc(title)}</h3><div class=\"scroll\">{render(part)}</div>")
    return "\n".join(out)


__all__ = ["CSS", "RESULT_GROUPS", "inputs_html", "matrix_html", "results_tables_html",
           "warnings_html"]
