"""Choosing a program's variants by name (used by evaluate, simulate, optimise and the web app)."""

from __future__ import annotations

from skateboard.errors import unknown_name


def select_variants(program, names=None):
    """The program's variants, or the named ones (unknown names list the valid ones)."""
    variants = list(program.variants)
    if not names:
        return variants
    by_name = {v.name: v for v in variants}
    chosen = []
    for n in names:
        if n not in by_name:
            raise unknown_name("variant", n, by_name, file=getattr(program, "source_file", None),
                               field="variants")
        chosen.append(by_name[n])
    return chosen


__all__ = ["select_variants"]
