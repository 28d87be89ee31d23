"""The one way JSON from outside (API bodies, webhooks, gateway fields) is read.

``json.loads`` alone answers a body nested 100,000 levels deep with RecursionError, turns ``1e999999`` into
infinity, takes ``NaN``, and spends seconds on a 100,000-digit integer: each would be a 500 or a wrong value
further in. Everything here is a MalformedJSON (a ValueError) instead, which callers answer with a 400.
"""

from __future__ import annotations

import json
import math
from typing import Any

DEFAULT_MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 64  # far beyond any quantity, amount or id we take


class MalformedJSON(ValueError):
    """Outside input that is not acceptable JSON; ``str(exc)`` says why, for a 400's message."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_CHARS:
        raise MalformedJSON("a number in the body is too large")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise MalformedJSON("a number in the body is too large")
    value = float(text)
    if not math.isfinite(value):
        raise MalformedJSON("a number in the body is too large")
    return value


def _refuse_constant(name: str) -> Any:
    raise MalformedJSON(f"{name} is not a JSON number")


def loads_untrusted(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` (UTF-8 bytes or text) as strict JSON; raise MalformedJSON for anything else.

    Refuses: more than ``max_bytes``, an empty body, invalid UTF-8, syntax errors, nesting deeper than
    ``max_depth`` arrays/objects, NaN/Infinity, and numbers longer than MAX_NUMBER_CHARS characters or too large
    for a float.
    """
    if len(data) > max_bytes:
        raise MalformedJSON(f"the body is larger than {max_bytes} bytes")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedJSON("the body is not valid UTF-8") from exc
    if not data.strip():
        raise MalformedJSON("the body is empty")
    if _nesting_depth(data, limit=max_depth) > max_depth:
        raise MalformedJSON(f"the body is nested more than {max_depth} levels deep")
    try:
        return json.loads(data, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except MalformedJSON:
        raise
    except RecursionError as exc:  # the depth check above should have caught it; never a 500 anyway
        raise MalformedJSON("the body is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError; int() past Python's digit limit
        raise MalformedJSON(f"the body is not valid JSON ({exc})") from exc


def _nesting_depth(text: str, *, limit: int) -> int:
    """The deepest nesting of arrays/objects (brackets inside strings ignored), or more than ``limit`` as soon as
    it is known to exceed it. Counting runs at C speed and settles the common case without the loop."""
    if text.count("[") + text.count("{") <= limit:
        return 0  # cannot be deeper than the number of openers
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:  # no need to read the rest
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest
