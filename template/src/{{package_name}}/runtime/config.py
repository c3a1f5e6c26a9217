"""Typed settings from environment variables: declare a frozen dataclass, get it parsed.

Every field of the dataclass is one variable, `<PREFIX><FIELD NAME IN UPPER CASE>`. Its type
says how to parse it (str, int, float, bool, or a Literal of strings); `setting()` adds the
help text and bounds. A value that does not parse raises ConfigError with one line naming the
variable, the value and what is accepted, which the entrypoint turns into exit code 2.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A setting's value is not acceptable; the message names the variable and the fix."""


def setting(
    default: Any, help: str, *, minimum: float | None = None, maximum: float | None = None
) -> Any:
    """Declare one setting: its default, what it is for, and its bounds if any."""
    return dataclasses.field(
        default=default, metadata={"help": help, "minimum": minimum, "maximum": maximum}
    )


def variable(prefix: str, field: dataclasses.Field[Any]) -> str:
    return f"{prefix}{field.name.upper()}"


def load(cls: type[T], environ: Mapping[str, str], prefix: str) -> T:
    """Build `cls` from the variables in `environ` that start with `prefix`.

    Args:
        cls: a dataclass whose fields were declared with `setting()`.
        environ: usually `os.environ`.
        prefix: e.g. "ACME_WORKER_".

    Raises:
        ConfigError: a value does not parse, is out of bounds, or a variable with the prefix
            names no setting (a typo would otherwise be ignored silently).
    """
    hints = typing.get_type_hints(cls)
    fields = {variable(prefix, f): f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(name for name in environ if name.startswith(prefix) and name not in fields)
    if unknown:
        close = difflib.get_close_matches(unknown[0], fields, n=1)
        hint = f"did you mean {close[0]}?" if close else "unset it (README.md lists every setting)"
        raise ConfigError(f"{unknown[0]} is not a setting of this service; {hint}")
    values = {
        field.name: _parse(name, environ[name], hints[field.name], field.metadata)
        for name, field in fields.items()
        if name in environ
    }
    return cls(**values)


def _parse(name: str, raw: str, kind: Any, meta: Mapping[str, Any]) -> Any:
    text = raw.strip()
    if typing.get_origin(kind) is typing.Literal:
        choices = typing.get_args(kind)
        if text not in choices:
            allowed = ", ".join(choices)
            raise ConfigError(f"{name}={raw!r} is not accepted; use one of: {allowed}")
        return text
    if kind is bool:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise ConfigError(f"{name}={raw!r} is not a yes/no value; use true or false")
    if kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise ConfigError(f"{name}={raw!r} is not {what}; e.g. {name}=10") from None
        if kind is float and not math.isfinite(value):
            raise ConfigError(f"{name}={raw!r} is not a finite number; e.g. {name}=10")
        minimum = meta.get("minimum")
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name}={raw!r} is below the minimum; use {minimum} or more")
        maximum = meta.get("maximum")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{name}={raw!r} is above the maximum; use {maximum} or less")
        return value
    if kind is str:
        return raw
    raise TypeError(f"setting {name} has type {kind!r}, which this loader cannot parse")
