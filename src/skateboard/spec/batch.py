"""Many variants as columns: :class:`VariantBatch`, and the column accessors every procedure
reads variants through.

A sweep's samples are one resolved variant (its *template*: the options of one combination)
with some numeric fields changed. A :class:`VariantBatch` holds them as the template plus one
array per changed field, so a sweep builds, tests and simulates them without a Python object
or a Python loop per variant (issue #20). It is a ``Sequence`` of :class:`Variant`:
``batch[i]`` builds the one variant (for error messages and for code that wants objects), and
code that has not been taught about batches still gets correct answers, slowly.

The accessors (:func:`column`, :func:`pack_column`, :func:`names`, :func:`take`, ...) take a
batch or any sequence of Variants and return arrays: one code path for a user's list of cars
and for a sweep, so the sweep's figures are those of the same cars evaluated one by one
(``tests/test_sweep.py``).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from skateboard.spec.variant import Variant


class VariantBatch(Sequence):
    """``n`` variants: ``template`` with numeric fields replaced by per-variant arrays.

    template : the resolved variant they share everything else with.
    n : how many.
    fields : Variant field -> (n,) array (e.g. ``curb_mass``, ``drag_coefficient``).
    pack : Pack field -> (n,) array (``gross_energy``, ``usable_energy``, ``mass``, ...).
    units : drive-unit name -> {DriveUnit field -> (n,) array}; ``loss_coefficients`` is (n, 4).
    name_prefix, first : variant ``i`` is named ``f"{name_prefix}#{first + i}"``, unless
    names : the names given (n,).
    check : check the arrays as ``Variant.replace`` checks a change (the default; a SpecError
        names the first bad row); :func:`skateboard.explore.plan.batch_of` skips it, the sweep
        plan having checked its box.

    The arrays are the values, checked but not derived from each other (a pack whose energy
    changed keeps its mass unless ``pack["mass"]`` is given; a rerated unit keeps its loss
    coefficients unless ``loss_coefficients`` is): :func:`skateboard.explore.plan.batch_of`
    builds sweeps' batches with those consequences.
    """

    __slots__ = ("template", "n", "fields", "pack", "units", "name_prefix", "first", "_names")

    def __init__(self, template: Variant, n: int, fields: Mapping[str, np.ndarray] | None = None,
                 pack: Mapping[str, np.ndarray] | None = None,
                 units: Mapping[str, Mapping[str, np.ndarray]] | None = None,
                 name_prefix: str | None = None, first: int = 0, names=None, check: bool = True):
        self.template = template
        self.n = int(n)
        self.fields = dict(fields or {})
        self.pack = dict(pack or {})
        self.units = {k: dict(v) for k, v in (units or {}).items()}
        self.name_prefix = template.name if name_prefix is None else name_prefix
        self.first = int(first)
        # given names (an object array of str), else name_prefix#first+i
        self._names = None if names is None else np.asarray(names, dtype=object)
        if check:
            from skateboard.spec.checks import check_batch   # (the schema's import, when used)

            check_batch(self)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.take(np.arange(self.n)[i])
        if isinstance(i, (int, np.integer)):
            if not -self.n <= i < self.n:
                raise IndexError(i)
            return self.variant(int(i) % self.n)
        return self.take(i)

    def variant(self, i: int) -> Variant:
        """Variant ``i`` as an object (the values of row ``i``)."""
        from skateboard.spec.checks import copy_with   # (the schema's import, only when needed)

        changes: dict[str, Any] = {k: float(a[i]) for k, a in self.fields.items()}
        changes["name"] = self.name(i)
        if self.pack:
            changes["pack"] = copy_with(self.template.pack,
                                        {k: float(a[i]) for k, a in self.pack.items()})
        if self.units:
            changes["drive_units"] = tuple(
                du if du.name not in self.units else copy_with(du, {
                    k: (tuple(float(x) for x in a[i]) if k == "loss_coefficients" else float(a[i]))
                    for k, a in self.units[du.name].items()})
                for du in self.template.drive_units)
        return copy_with(self.template, changes)

    def name(self, i: int) -> str:
        if self._names is not None:
            return str(self._names[i])
        return f"{self.name_prefix}#{self.first + i}"

    def take(self, idx) -> VariantBatch:
        """The variants at positions ``idx`` (their names kept); a boolean mask picks where
        it is True."""
        idx = _positions(idx)
        return VariantBatch(self.template, len(idx),
                            {k: a[idx] for k, a in self.fields.items()},
                            {k: a[idx] for k, a in self.pack.items()},
                            {u: {k: a[idx] for k, a in d.items()} for u, d in self.units.items()},
                            self.name_prefix, 0, names=self.names()[idx], check=False)

    def names(self) -> np.ndarray:
        """The variants' names (an array of str)."""
        if self._names is not None:
            return self._names
        return np.char.add(f"{self.name_prefix}#",
                           (self.first + np.arange(self.n)).astype(str)).astype(object)

    def column(self, attr: str) -> np.ndarray:
        """A Variant field of every variant [SI]: its array, or the template's value."""
        return self._column(self.fields, self.template, attr)

    def pack_column(self, attr: str) -> np.ndarray:
        """A Pack field of every variant [SI]: its array, or the template pack's value."""
        return self._column(self.pack, self.template.pack, attr)

    def _column(self, arrays: Mapping[str, np.ndarray], obj, attr: str) -> np.ndarray:
        a = arrays.get(attr)
        if a is not None:
            return np.asarray(a, dtype=float)
        value = getattr(obj, attr)
        return np.full(self.n, np.nan if value is None else float(value))


def _positions(idx) -> np.ndarray:
    """Positions from indices or a boolean mask."""
    idx = np.asarray(idx)
    return np.flatnonzero(idx) if idx.dtype == bool else idx.astype(np.intp)


def is_batch(variants) -> bool:
    return isinstance(variants, VariantBatch)


def _gather(variants: Sequence[Variant], path: str) -> np.ndarray:
    """``operator.attrgetter(path)`` of every variant as floats, NaN where it is None: C-level
    gets, with a comprehension only when a None is met."""
    get = operator.attrgetter(path)
    try:
        return np.fromiter(map(get, variants), dtype=float, count=len(variants))
    except TypeError:
        return np.array([np.nan if (x := get(v)) is None else x for v in variants],
                        dtype=float).reshape(len(variants))


def column(variants: Sequence[Variant], attr: str) -> np.ndarray:
    """A numeric Variant field of every variant [SI], NaN where it is None."""
    if isinstance(variants, VariantBatch):
        return variants.column(attr)
    return _gather(variants, attr)


def pack_column(variants: Sequence[Variant], attr: str) -> np.ndarray:
    """A numeric field of every variant's pack [SI], NaN where it is None."""
    if isinstance(variants, VariantBatch):
        return variants.pack_column(attr)
    return _gather(variants, f"pack.{attr}")


def part_column(variants: Sequence[Variant], part: str, attr: str) -> np.ndarray:
    """A numeric field of a part of every variant (``part_column(vs, "range_extender",
    "fuel_tank_volume")``) [SI]: a batch's from its arrays (the pack) or its template."""
    if part == "pack":
        return pack_column(variants, attr)
    if isinstance(variants, VariantBatch):
        return np.full(variants.n, float(getattr(getattr(variants.template, part), attr)))
    return _gather(variants, f"{part}.{attr}")


def objects(variants: Sequence[Variant], attr: str) -> list:
    """A non-numeric field of every variant (range extender, energy management, ...): a batch's
    template's, shared by all."""
    if isinstance(variants, VariantBatch):
        return [getattr(variants.template, attr)] * variants.n
    return list(map(operator.attrgetter(attr), variants))


def names(variants: Sequence[Variant]):
    """The variants' names: a list, or a batch's array."""
    if isinstance(variants, VariantBatch):
        return variants.names()
    return list(map(operator.attrgetter("name"), variants))


def has_range_extender(variants: Sequence[Variant]) -> np.ndarray:
    """Boolean array: which variants have a range extender."""
    if isinstance(variants, VariantBatch):
        return np.full(variants.n, variants.template.range_extender is not None)
    return np.fromiter(map(operator.is_not, map(operator.attrgetter("range_extender"), variants),
                           itertools.repeat(None)), dtype=bool, count=len(variants))


def split_range_extended(variants: Sequence[Variant]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the battery-electric variants and of the range-extended ones."""
    has_rex = has_range_extender(variants)
    return np.flatnonzero(~has_rex), np.flatnonzero(has_rex)


def take(variants: Sequence[Variant], idx) -> Sequence[Variant]:
    """The variants at positions ``idx``: a batch stays a batch, a list stays a list."""
    if isinstance(variants, VariantBatch):
        return variants.take(idx)
    return [variants[i] for i in _positions(idx).tolist()]


__all__ = ["VariantBatch", "column", "has_range_extender", "is_batch", "names", "objects",
           "pack_column", "part_column", "split_range_extended", "take"]
