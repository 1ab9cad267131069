"""A procedure's rows before pandas: named columns of equal length, in order.

The procedures compute their rows into a :class:`Table` and their public functions
(:data:`skateboard.procedures.PROCEDURES`) return ``table.to_pandas()``, the DataFrame pandas
builds from the same columns. :func:`skateboard.evaluate` reads the tables themselves, so a
``skateboard evaluate --json`` never imports pandas (0.2 s of its start-up, 2026-12-04).
Missing values are NaN, as in the DataFrame pandas builds from records.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


class Table:
    """Columns (name -> list or 1-D array) of one length, in insertion order."""

    __slots__ = ("columns", "n")

    def __init__(self, columns: Mapping[str, Sequence] | None = None, n: int | None = None):
        self.columns: dict[str, Sequence] = dict(columns or {})
        lengths = {len(c) for c in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self.n = lengths.pop() if lengths else (n or 0)

    @classmethod
    def from_records(cls, rows: Sequence[Mapping]) -> Table:
        """Rows of mappings: every key that any row has, in order of first appearance (as
        ``pandas.DataFrame(rows)``), NaN where a row lacks it."""
        names = list(dict.fromkeys(k for r in rows for k in r))
        return cls({k: [r.get(k, math.nan) for r in rows] for k in names}, n=len(rows))

    @classmethod
    def stack(cls, parts: Sequence[tuple[Sequence[int], Table]], n: int) -> Table:
        """One table of ``n`` rows from parts that each hold the rows at their indices (every
        index once): the union of the parts' columns in order of first appearance (as
        ``pandas.concat``), NaN where a part lacks a column."""
        names = list(dict.fromkeys(k for _, t in parts for k in t.columns))
        out: dict[str, Sequence] = {}
        for k in names:
            cols = [(np.asarray(idx, dtype=np.intp), t.columns.get(k)) for idx, t in parts]
            if all(isinstance(c, np.ndarray) and c.dtype.kind in "fiub" for _, c in cols):
                dtypes = {c.dtype for _, c in cols}
                arr = np.empty(n, dtype=dtypes.pop()) if len(dtypes) == 1 else np.full(n, np.nan)
                for idx, c in cols:
                    arr[idx] = c
                out[k] = arr
                continue
            col: list = [math.nan] * n
            for idx, c in cols:
                if c is not None:
                    for i, value in zip(idx.tolist(), _items(c)):
                        col[i] = value
            out[k] = col
        return cls(out, n=n)

    def __len__(self) -> int:
        return self.n

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> Sequence:
        return self.columns[name]

    def __setitem__(self, name: str, values) -> None:
        values = values if isinstance(values, (list, np.ndarray)) else list(values)
        if len(values) != self.n:
            raise ValueError(f"column {name!r} has {len(values)} values, the table {self.n} rows")
        self.columns[name] = values

    def set_rows(self, name: str, rows: Sequence[int], values: Iterable) -> None:
        """Set ``name`` at the given rows (a new column is NaN elsewhere), as ``df.loc``."""
        col = self.columns.get(name)
        new = np.asarray(values) if not isinstance(values, np.ndarray) else values
        if new.dtype.kind in "fiu" and (col is None or (isinstance(col, np.ndarray)
                                                         and col.dtype.kind == "f")):
            arr = np.full(self.n, np.nan) if col is None else col.copy()
            arr[np.asarray(rows, dtype=np.intp)] = new   # numbers: one array assignment
            self.columns[name] = arr
            return
        col = [math.nan] * self.n if col is None else list(_items(col))
        for i, value in zip(rows, values):
            col[i] = value
        self.columns[name] = col

    def records(self, names: Sequence[str] | None = None) -> list[dict]:
        """One dict per row (values as stored: Python or NumPy scalars)."""
        names = list(self.columns) if names is None else list(names)
        cols = [_items(self.columns[k]) for k in names]
        return [dict(zip(names, values)) for values in zip(*cols)] if names else [{} for _ in range(self.n)]

    def by(self, key: str) -> dict:
        """Rows keyed by column ``key`` (the last row wins); each row keeps ``key`` too."""
        return {r[key]: r for r in self.records()}

    def to_pandas(self):
        """The DataFrame of these columns."""
        import pandas as pd

        return pd.DataFrame(self.columns) if self.columns else pd.DataFrame(index=range(self.n))


def _items(col) -> list:
    return col.tolist() if isinstance(col, np.ndarray) else list(col)


__all__ = ["Table"]
