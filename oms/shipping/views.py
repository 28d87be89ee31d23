"""Carrier-facing endpoint (no login: the request's signature is its authentication)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from oms.common.api import error_body
from oms.common.errors import ErrorCode, OmsError
from oms.common.request_body import BodyTooLarge, read_limited_body
from oms.shipping.carriers.base import WEBHOOK_MAX_BYTES
from oms.shipping.inbound import handle_carrier_webhook


@csrf_exempt
def carrier_webhook(request: HttpRequest, carrier: str) -> JsonResponse:
    """``POST /api/v1/carriers/<carrier>/webhook/``: 200 ``{"status": "applied" | "recorded" | "duplicate"}``.

    Errors answer ``{"code", "message", "details"}``: 404 unknown carrier or tracking number, 401 bad, missing or
    stale signature, 400 a signed body that is not a tracking event (malformed JSON included) or one over
    WEBHOOK_MAX_BYTES. The raw body is verified before it is parsed.
    """
    if request.method != "POST":
        response = JsonResponse(
            error_body(ErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed here."), status=405
        )
        response["Allow"] = "POST"
        return response
    try:
        body = read_limited_body(request, max_bytes=WEBHOOK_MAX_BYTES)
    except BodyTooLarge as exc:
        return JsonResponse(error_body(ErrorCode.PARSE_ERROR, str(exc)), status=400)
    try:
        outcome = handle_carrier_webhook(carrier=carrier, headers=request.headers, body=body)
    except OmsError as exc:
        return JsonResponse(error_body(exc.code, exc.message, exc.details), status=exc.status)
    return JsonResponse({"status": outcome})
