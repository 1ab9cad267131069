"""One :class:`~skateboard.errors.SpecError` for a pydantic validation problem: the field path as
the user wrote it, the value, and what is allowed (never a pydantic traceback)."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from skateboard.errors import SpecError, close_matches
from skateboard.spec.quantities import Choice, QuantityInfo
from skateboard.spec.toml_file import dotted

# ---------------------------------------------------------------------------------------------
# pydantic errors -> one SpecError
# ---------------------------------------------------------------------------------------------

def _join(prefix: str | None, path: str) -> str | None:
    if prefix and path:
        return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"
    return prefix or path or None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if not args:
                return tp
            tp = args[0]
        else:
            return tp


def _descend(tp: Any, key: Any) -> tuple[Any, Any]:
    """(type, FieldInfo or None) one step down ``loc`` from ``tp``."""
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        info = tp.model_fields.get(key)
        return (info.annotation, info) if info else (None, None)
    origin = typing.get_origin(tp)
    if origin is dict:
        return typing.get_args(tp)[1], None
    if origin is list:
        return typing.get_args(tp)[0], None
    return None, None


def _walk(model: type[BaseModel], loc: tuple) -> tuple[Any, Any]:
    tp, info = model, None
    for key in loc:
        if tp is None:
            return None, None
        tp, info = _descend(tp, key)
    return tp, info


def _quantity_hint(info: Any) -> str | None:
    if info is None:
        return None
    for meta in info.metadata:
        q = getattr(meta, "func", None)
        if isinstance(q, QuantityInfo):
            return f"{q.kind} in {q.shown}" + (f", e.g. {q.example!r}" if q.example else "")
        if isinstance(q, Choice):
            return ", ".join(q.values)
    return None


def translate_validation_error(exc: ValidationError, model: type[BaseModel], *,
                               file: str | None = None, prefix: str | None = None) -> SpecError:
    """Turn a pydantic ``ValidationError`` into one :class:`SpecError` (the first problem;
    unknown fields first, because a misspelt field also shows up as a missing one)."""
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = tuple(err["loc"])
    path = dotted(loc)
    field = _join(prefix, path)
    kind = err["type"]
    given = err.get("input")
    value = given if isinstance(given, (str, int, float, bool)) else ...
    ctx = err.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, SpecError):
        return inner.with_context(file=file, prefix=field)
    if kind == "extra_forbidden":
        tp, _ = _walk(model, loc[:-1])
        tp = _unwrap(tp)
        allowed = list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []
        return SpecError(f"unknown field{close_matches(str(loc[-1]), allowed)}", file=file,
                         field=field, allowed=", ".join(allowed) or None)
    _, info = _walk(model, loc)
    if kind == "missing":
        return SpecError("missing required field", file=file, field=field,
                         allowed=_quantity_hint(info))
    messages = {
        "string_type": "expected a string",
        "list_type": "expected a list",
        "dict_type": "expected a table",
        "model_type": "expected a table",
        "model_attributes_type": "expected a table",
        "string_too_short": "must not be empty",
        "float_type": "expected a number",
        "float_parsing": "expected a number",
    }
    if kind in messages:
        return SpecError(messages[kind], file=file, field=field, value=value)
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return SpecError(f"needs at least {n} item{'s' if n != 1 else ''}", file=file,
                         field=field, value=value)
    if kind == "literal_error":
        return SpecError("not a valid choice", file=file, field=field, value=value,
                         allowed=str(ctx.get("expected", "")) or None)
    return SpecError(err.get("msg", "invalid value"), file=file, field=field, value=value)


def validate(model: type[BaseModel], data: Any, *, file: str | None = None,
             prefix: str | None = None) -> Any:
    """``model.model_validate(data)`` raising one :class:`SpecError` on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise translate_validation_error(exc, model, file=file, prefix=prefix) from None
    except SpecError as exc:  # pragma: no cover - validators' SpecErrors arrive wrapped
        raise exc.with_context(file=file, prefix=prefix) from None
