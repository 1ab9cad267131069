"""The bundled vehicles against their makers' published figures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from skateboard.errors import SpecError, close_matches
from skateboard.spec.variant import Variant
from skateboard.validation.epa_list import PUBLISHED_FILE

# ---------------------------------------------------------------------------------------------
# Published figures of the bundled vehicles
# ---------------------------------------------------------------------------------------------

def _variant_with_pack(derivative: str, pack: str | None):
    """A bundled derivative resolved with another pack option of its platform.

    The curb mass changes by the difference of the two packs' masses (the platform file's pack
    masses; the derivative's curb mass includes the pack it declares)."""
    from skateboard.spec import load_derivative, load_platform, resolve_variant
    from skateboard.spec.loader import locate

    d = load_derivative(derivative)
    if pack is None or pack == d.options.pack:
        return resolve_variant(d)
    src = d.source_file
    platform = load_platform(locate("platform", d.platform,
                                    relative_to=Path(src).parent if src else None, file=src,
                                    field="platform"))
    if pack not in platform.packs:
        raise SpecError(f"pack option not offered by platform {platform.name!r}"
                        f"{close_matches(pack, platform.packs)}", file=str(PUBLISHED_FILE),
                        field="figures.pack", value=pack, allowed=", ".join(platform.packs))
    old, new = platform.packs[d.options.pack], platform.packs[pack]
    top = d.top_hat.model_copy(update={"curb_mass": d.top_hat.curb_mass - old.mass + new.mass})
    d2 = d.model_copy(update={"name": f"{d.name}-{pack}", "label": f"{d.label} ({pack})",
                              "options": d.options.model_copy(update={"pack": pack}),
                              "top_hat": top})
    return resolve_variant(d2, file=src)


def load_published(path: str | Path = PUBLISHED_FILE) -> list[dict[str, Any]]:
    """The published figures (``[[figures]]`` of ``published.toml``), checked."""
    from skateboard.spec.loader import read_toml

    data = read_toml(path)
    figures = data.get("figures")
    if not isinstance(figures, list) or not figures:
        raise SpecError("expected a non-empty [[figures]] array", file=str(path), field="figures")
    needed = ("derivative", "procedure", "column", "published", "unit", "source")
    for i, f in enumerate(figures):
        for key in needed:
            if key not in f:
                raise SpecError("missing required field", file=str(path), field=f"figures[{i}].{key}",
                                allowed=", ".join(needed))
        if f["procedure"] != "WLTP":
            raise SpecError("unsupported procedure", file=str(path), field=f"figures[{i}].procedure",
                            value=f["procedure"], allowed="WLTP")
    return figures


def validate_published(path: str | Path = PUBLISHED_FILE) -> pd.DataFrame:
    """Run the bundled vehicles through their published procedures and compare.

    Returns one row per published figure: ``vehicle``, ``procedure``, ``quantity`` (the result
    column compared), ``unit``, ``published``, ``predicted``, ``error_percent``,
    ``tolerance_percent`` (NaN: informational, no tolerance claimed), ``within_tolerance``
    (None when informational), ``note`` and ``source``.
    """
    from skateboard.procedures import wltp

    figures = load_published(path)
    runs: dict[str, list[int]] = {}  # one WLTP run per utility-factor stage
    for i, f in enumerate(figures):
        runs.setdefault(f.get("uf_stage", "euro6e-bis"), []).append(i)
    variants: dict[tuple[str, str | None], Variant] = {}
    for f in figures:
        key = (f["derivative"], f.get("pack"))
        if key not in variants:
            variants[key] = _variant_with_pack(*key)
    predicted: dict[int, float] = {}
    for stage, idx in runs.items():
        vkeys = list(dict.fromkeys((figures[i]["derivative"], figures[i].get("pack")) for i in idx))
        df = wltp.run([variants[k] for k in vkeys], uf_stage=stage)
        for i in idx:
            f = figures[i]
            r = df.iloc[vkeys.index((f["derivative"], f.get("pack")))]
            predicted[i] = float(r[f["column"]])
    rows = []
    for i, f in enumerate(figures):
        tol = f.get("tolerance_percent")
        err = (predicted[i] / f["published"] - 1.0) * 100.0
        rows.append({
            "vehicle": f"{f['derivative']} [{variants[(f['derivative'], f.get('pack'))].pack.name}]",
            "procedure": f["procedure"] + (f" ({f['uf_stage']})" if "uf_stage" in f else ""),
            "quantity": f["column"], "unit": f["unit"], "published": float(f["published"]),
            "predicted": predicted[i], "error_percent": err,
            "tolerance_percent": math.nan if tol is None else float(tol),
            "within_tolerance": None if tol is None else bool(abs(err) <= tol),
            "note": f.get("note", ""), "source": f["source"],
        })
    return pd.DataFrame(rows)
