"""Typed settings from environment variables: declare a frozen dataclass, get it parsed.

Every field of the dataclass is one variable, `<PREFIX><FIELD NAME IN UPPER CASE>`. Its type
says how to parse it (str, int, float, bool, or a Literal of strings); `setting()` adds the
help text, bounds, and for strings what they must be (a URL with one of some schemes, a host,
a name). A value that does not parse raises ConfigError with one line naming the variable,
the value and what is accepted, which the entrypoint turns into exit code 2: a bad value is
caught before anything starts, not as a failed resource or a failing job later.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from .schedule import cron_problem

# difflib, ipaddress and urllib.parse are imported where a value needs them: a service
# whose environment sets no URL or host starts without them (0.6 MiB and a few ms less).

T = TypeVar("T")
# What a string setting must be: a URL (with `schemes`), a host name or IP address, a name
# (no spaces, e.g. a stream), a path, a cron expression (for a `Schedule`); None accepts any
# string, empty included.
StringKind = Literal["url", "host", "name", "path", "cron"]
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A setting's value is not acceptable; the message names the variable and the fix."""


def setting(
    default: Any,
    help: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    kind: StringKind | None = None,
    schemes: tuple[str, ...] = (),
    optional: bool = False,
) -> Any:
    """Declare one setting: its default, what it is for, and what values it accepts.

    Args:
        default: the value when the variable is not set.
        help: one line for the README and for people reading the code.
        minimum: the smallest number accepted; a timeout whose zero makes no sense takes a
            small positive minimum rather than 0.
        maximum: the largest number accepted.
        kind: for a string, what it must be: "url", "host", "name", "path" or "cron".
        schemes: for a URL, the schemes accepted, the first one used in examples.
        optional: for a string with a kind, accept the empty string too (meaning "none").
    """
    meta: dict[str, Any] = {"help": help, "minimum": minimum, "maximum": maximum}
    meta |= {"kind": kind, "schemes": schemes, "optional": optional, "default": default}
    return dataclasses.field(default=default, metadata=meta)


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
        import difflib  # noqa: PLC0415 - only for a bad variable name

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
        return _check_string(name, raw, meta)
    raise TypeError(f"setting {name} has type {kind!r}, which this loader cannot parse")


def _check_string(name: str, raw: str, meta: Mapping[str, Any]) -> str:
    kind: StringKind | None = meta.get("kind")
    if kind is None:
        return raw
    text = raw.strip()
    example = f"e.g. {name}={_example(kind, meta)}"
    if not text:
        if meta.get("optional"):
            return text
        raise ConfigError(f"{name}={raw!r} is empty; set it, {example}")
    if kind == "url":
        schemes: tuple[str, ...] = meta.get("schemes") or ()
        problem = _url_problem(text, schemes)
        if problem:
            raise ConfigError(f"{name}={raw!r} {problem}; {example}")
    elif kind == "host" and not _is_host(text):
        raise ConfigError(f"{name}={raw!r} is not a host name or IP address; {example}")
    elif kind == "name" and any(c.isspace() for c in text):
        raise ConfigError(f"{name}={raw!r} contains spaces; use a name without, {example}")
    elif kind == "cron" and (problem := cron_problem(text)):
        raise ConfigError(f"{name}={raw!r} {problem}; {example}")
    return text


def _url_problem(text: str, schemes: tuple[str, ...]) -> str:
    """What is wrong with `text` as a URL with one of `schemes`; empty when nothing is."""
    import urllib.parse  # noqa: PLC0415 - only for a URL set in the environment

    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port  # raises ValueError unless it is a number from 0 to 65535
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    allowed = " or ".join(f"{s}://" for s in schemes)
    scheme = parts.scheme.lower()
    if "://" not in text or not scheme:
        problem = f"is not a URL; start it with {allowed}" if schemes else "is not a URL"
    elif schemes and scheme not in schemes:
        problem = f"has the scheme {parts.scheme!r}; use {allowed}"
    elif scheme == "unix":
        problem = "" if parts.path else "names no socket path"
    elif not parts.hostname or not _is_host(parts.hostname):
        problem = "names no valid host"
    elif port == 0:
        problem = "has port 0; give the server's port"
    else:
        problem = ""
    return problem


def _is_host(text: str) -> bool:
    """A DNS name (RFC 1123 labels) or an IP address, IPv6 with or without brackets."""
    import ipaddress  # noqa: PLC0415 - only for a host set in the environment

    try:
        ipaddress.ip_address(text.removeprefix("[").removesuffix("]"))
    except ValueError:
        labels = text.removesuffix(".").split(".")
        return len(text) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)
    return True


def _example(kind: StringKind, meta: Mapping[str, Any]) -> str:
    default = meta.get("default")
    if kind == "cron":
        return repr(default if isinstance(default, str) and default else "*/5 * * * *")
    if isinstance(default, str) and default:
        return default
    schemes: tuple[str, ...] = meta.get("schemes") or ("https",)
    return {"url": f"{schemes[0]}://example.com/", "host": "127.0.0.1"}.get(kind, "jobs")
