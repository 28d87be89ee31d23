"""Carrier-facing endpoint (no login: the request's signature is its authentication)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from oms.common.api import error_body
from oms.common.errors import ErrorCode, OmsError
from oms.shipping.inbound import handle_carrier_webhook


@csrf_exempt
def carrier_webhook(request: HttpRequest, carrier: str) -> JsonResponse:
    """``POST /api/v1/carriers/<carrier>/webhook/``: 200 ``{"status": "applied" | "recorded" | "duplicate"}``.

    Errors answer ``{"code", "message", "details"}``: 404 unknown carrier or tracking number, 401 bad, missing or
    stale signature, 400 a signed body that is not a tracking event. The raw body is verified before it is read.
    """
    if request.method != "POST":
        response = JsonResponse(
            error_body(ErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed here."), status=405
        )
        response["Allow"] = "POST"
        return response
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse(error_body(ErrorCode.PARSE_ERROR, "The request body is too large."), status=400)
    try:
        outcome = handle_carrier_webhook(carrier=carrier, headers=request.headers, body=body)
    except OmsError as exc:
        return JsonResponse(error_body(exc.code, exc.message, exc.details), status=exc.status)
    return JsonResponse({"status": outcome})
