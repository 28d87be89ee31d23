"""Request parsers, in their own module: DRF reads DEFAULT_PARSER_CLASSES while rest_framework.views loads."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from oms.common.json_input import DEFAULT_MAX_BYTES, MalformedJSON, loads_untrusted


class JSONParser(parsers.JSONParser):
    """API bodies through oms.common.json_input: anything malformed (too large, too deep, invalid UTF-8, NaN,
    absurd numbers) is a 400 ``parse_error``, never a 500. Reads at most the size limit plus one byte."""

    def parse(self, stream: IO[Any] | None, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        try:
            return loads_untrusted(body, max_bytes=limit)
        except MalformedJSON as exc:
            raise exceptions.ParseError(_("JSON parse error - %(reason)s.") % {"reason": exc}) from exc
