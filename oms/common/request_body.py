"""Reading the raw body of an unauthenticated request without ever holding more than a small limit of it."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.http import HttpRequest


class BodyTooLarge(Exception):
    """The request declares, or sends, more than the endpoint takes; nothing past the limit was read."""


def read_limited_body(request: HttpRequest, *, max_bytes: int) -> bytes:
    """The request body, at most ``max_bytes``: refused by its Content-Length before reading anything, or after
    reading one byte past the limit when the length was not declared honestly."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise BodyTooLarge(f"The request body is larger than {max_bytes} bytes.")
    body = request.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise BodyTooLarge(f"The request body is larger than {max_bytes} bytes.")
    return body


class MalformedBody(ValueError):
    """A body that is not what the endpoint takes (wrong type, invalid encoding, repeated or too many fields)."""


def parse_urlencoded_form(body: bytes, *, content_type: str, max_fields: int = 100) -> dict[str, str]:
    """A non-empty ``application/x-www-form-urlencoded`` body as a dict, decoded strictly as UTF-8 (percent-escapes
    included); a field sent twice, more than ``max_fields`` fields or anything else malformed is refused."""
    if content_type != "application/x-www-form-urlencoded":
        raise MalformedBody("the body is not application/x-www-form-urlencoded")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBody(f"the form is malformed ({exc})") from exc
    fields = dict(pairs)
    if not fields:
        raise MalformedBody("the form is empty")
    if len(fields) != len(pairs):
        raise MalformedBody("a field is sent more than once")
    return fields
