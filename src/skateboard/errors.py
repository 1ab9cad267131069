"""The one exception type for bad user input.

A :class:`SpecError` carries the file, the field path, the offending value and what is
allowed, so the CLI can print it as one readable line (docs/architecture.md).
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable

#: Longest value shown in an error [characters of its repr]: a value may come from a file's
#: content, and an error quotes at most a short, truncated token of it (docs/limits.md).
MAX_VALUE_CHARS = 40
#: Longest field path, file name and message shown [characters].
MAX_FIELD_CHARS = 120
MAX_FILE_CHARS = 240
MAX_MESSAGE_CHARS = 400
MAX_ALLOWED_CHARS = 1000

_REPR = reprlib.Repr()
_REPR.maxstring = MAX_VALUE_CHARS
_REPR.maxother = MAX_VALUE_CHARS
_REPR.maxlong = MAX_VALUE_CHARS
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 4
_REPR.maxlevel = 2


def shown(value: object) -> str:
    """``repr(value)`` cut to about :data:`MAX_VALUE_CHARS` characters, on one line, whatever
    the value (a 5 000-deep list, a megabyte string, a 400-digit integer)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still shown
        text = f"<{type(value).__name__}>"
    return clip(text, MAX_VALUE_CHARS + 8)


def clip(text: str, limit: int) -> str:
    """``text`` on one line (control characters escaped), cut to ``limit`` characters."""
    text = str(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


class SpecError(ValueError):
    """A specification (TOML file, CLI argument, CSV) is invalid.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    file : str or None
        The file the value came from, if any.
    field : str or None
        Dotted field path, e.g. ``packs.standard.usable_energy``.
    value : object
        The offending value (shown with ``repr``), if any.
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 value: object = ..., allowed: str | None = None):
        self.message = message
        self.file = None if file is None else str(file)
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = []
        where = ""
        if self.file:
            where = clip(self.file, MAX_FILE_CHARS)
        if self.field:
            field = clip(self.field, MAX_FIELD_CHARS)
            where = f"{where}: {field}" if where else field
        if where:
            parts.append(where)
        text = clip(self.message, MAX_MESSAGE_CHARS)
        if self.value is not ...:
            text = f"{text} (got {shown(self.value)})"
        if self.allowed:
            text = f"{text}; allowed: {clip(self.allowed, MAX_ALLOWED_CHARS)}"
        parts.append(text)
        return ": ".join(parts)

    def with_context(self, *, file: str | None = None, prefix: str | None = None) -> "SpecError":
        """Return a copy with the file set and the field path prefixed."""
        field = self.field
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        return SpecError(self.message, file=file or self.file, field=field, value=self.value,
                         allowed=self.allowed)


def close_matches(word: str, choices: Iterable[str]) -> str:
    """A ``; did you mean 'x'?`` suffix, or an empty string when nothing is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {found[0]!r}?" if found else ""


def unknown_name(kind: str, name: str, choices: Iterable[str], *, file: str | None = None,
                 field: str | None = None) -> SpecError:
    """The error for an unknown bundled name: it lists the valid ones (PyBaMM style)."""
    choices = sorted(choices)
    return SpecError(f"unknown {kind}{close_matches(name, choices)}", file=file, field=field,
                     value=name, allowed=", ".join(choices))


class ResultError(SpecError):
    """A result row failed the checks every row passes before it leaves the package
    (:func:`skateboard.checks.check_rows`): a value that is not finite, a state of charge outside
    [0, 1] or an energy audit that does not close. It names the variant, the cycle or procedure
    and the quantity. A :class:`SpecError`, so the CLI prints it as one line and exits 2: such a
    row comes from inputs beyond what the model covers, and no number is reported for it."""

    def __init__(self, *, variant: object, cycle: object, quantity: str, value: object,
                 allowed: str):
        self.variant = variant
        self.cycle = cycle
        self.quantity = quantity
        super().__init__(f"result outside physics: variant {variant!r}, cycle {cycle!r}, {quantity}",
                         value=value, allowed=allowed)
