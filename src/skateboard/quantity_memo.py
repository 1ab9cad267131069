"""The memo of quantity strings pint converted, kept in the user's cache directory.

:func:`skateboard.units.parse_quantity` asks it before the parser and pint: a warm run that meets
only strings seen before imports no pint (0.11 s of a ``skateboard evaluate`` start-up,
2026-12-04). ``docs/limits.md`` says what is kept and when it is ignored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from pathlib import Path


def cache_root() -> Path:
    """Skateboard's folder in the user's cache directory (platformdirs)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("skateboard"))


#: Most entries the memo keeps (a program holds about a hundred quantity strings); past it, the
#: memo starts again from the strings of the present run.
MEMO_MAX_ENTRIES = 20_000


class QuantityMemo:
    """``(string, unit) -> value`` of every quantity string pint converted, saved in the user's
    cache directory (``units-memo.json``) when the process ends, so that a run reading only
    strings met before imports no pint (0.11 s of a warm ``skateboard evaluate``). A value is
    pint's own result, stored as JSON (which keeps every bit of a float); only strings that
    converted are kept (an error always goes through pint, for its message). The file carries a
    digest of the parser's source (``parser``: ``skateboard/units.py``), this module's and pint's
    version: with any change to one of them it is ignored. A file that cannot be read or written
    only costs time."""

    def __init__(self, parser: Path):
        self.parser = parser
        self.values: dict[str, float] | None = None
        self.new = False

    @functools.cached_property
    def stamp(self) -> str:
        try:
            from importlib.metadata import version

            pint_version = version("pint")
        except Exception:  # noqa: BLE001 - no metadata: a stamp no saved memo matches
            pint_version = "unknown"
        source = self.parser.read_bytes() + Path(__file__).read_bytes()
        return hashlib.sha256(source + b"\0" + pint_version.encode()).hexdigest()

    @staticmethod
    def path() -> Path:
        return cache_root() / "units-memo.json"

    def load(self) -> dict[str, float]:
        if self.values is None:
            self.values = {}
            try:
                data = json.loads(self.path().read_text(encoding="utf-8"))
                if data.get("stamp") == self.stamp and isinstance(data.get("values"), dict):
                    self.values = {k: float(v) for k, v in data["values"].items()
                                   if isinstance(k, str) and isinstance(v, (int, float))
                                   and not isinstance(v, bool) and math.isfinite(v)}
            except Exception:  # noqa: BLE001 - no memo, or an unreadable one: start empty
                pass
        return self.values

    @staticmethod
    def key(text: str, unit: str) -> str:
        return f"{unit}\x1f{text}"

    def get(self, text: str, unit: str) -> float | None:
        return self.load().get(self.key(text, unit))

    def put(self, text: str, unit: str, value: float) -> None:
        values = self.load()
        if len(values) >= MEMO_MAX_ENTRIES:
            values.clear()
        values[self.key(text, unit)] = value
        if not self.new:
            self.new = True
            import atexit

            atexit.register(self.save)

    def save(self) -> None:
        """Write the memo (atomically) if this process added to it."""
        if not self.new:
            return
        try:
            path = self.path()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"stamp": self.stamp, "values": self.values}),
                           encoding="utf-8")
            os.replace(tmp, path)
            self.new = False
        except Exception:  # noqa: BLE001 - a memo that cannot be written is only slower
            pass


__all__ = ["MEMO_MAX_ENTRIES", "QuantityMemo", "cache_root"]
