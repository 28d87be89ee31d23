"""API plumbing shared by every domain: the error format and strict input serializers."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from oms.common.db_outage import RETRY_AFTER_SECONDS, is_database_unavailable
from oms.common.errors import ErrorCode, OmsError

logger = logging.getLogger(__name__)

_DRF_CODES: dict[type[exceptions.APIException], tuple[ErrorCode, str]] = {
    exceptions.ValidationError: (ErrorCode.VALIDATION_ERROR, "The request is not valid; see details."),
    exceptions.ParseError: (ErrorCode.PARSE_ERROR, "The request body is not valid JSON."),
    exceptions.NotAuthenticated: (
        ErrorCode.NOT_AUTHENTICATED,
        "Log in or send 'Authorization: Token <token>'.",
    ),
    exceptions.AuthenticationFailed: (ErrorCode.AUTHENTICATION_FAILED, "The credentials were not accepted."),
    exceptions.PermissionDenied: (ErrorCode.PERMISSION_DENIED, "You are not allowed to do this."),
    exceptions.NotFound: (ErrorCode.NOT_FOUND, "Not found."),
    exceptions.MethodNotAllowed: (ErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed here."),
    exceptions.UnsupportedMediaType: (ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json."),
    exceptions.NotAcceptable: (ErrorCode.NOT_ACCEPTABLE, "Cannot answer in the requested format."),
    exceptions.Throttled: (ErrorCode.THROTTLED, "Too many requests; try again later."),
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": str(code), "message": str(message), "details": details}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every error into ``{"code", "message", "details"}`` with the right status."""
    if isinstance(exc, OmsError):
        set_rollback()
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status, headers=headers)
    if is_database_unavailable(exc):
        return Response(**database_unavailable_answer())
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # else Django answers with its HTML 400 page
        exc = exceptions.ParseError("The request body is too large.")
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django log it and answer 500
    set_rollback()
    code, message = ErrorCode.VALIDATION_ERROR, "The request was refused."
    for klass, (klass_code, klass_message) in _DRF_CODES.items():
        if isinstance(exc, klass):
            code, message = klass_code, klass_message
            break
    details: Any = exc.detail if isinstance(exc, exceptions.ValidationError) else None
    if not isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, str):
        message = str(exc.detail) or message
    headers = {}
    auth_header = getattr(exc, "auth_header", None)  # NotAuthenticated/AuthenticationFailed, set by DRF's view
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)  # Throttled
    if wait:
        headers["Retry-After"] = str(int(wait))
    return Response(error_body(code, message, details), status=exc.status_code, headers=headers)


def database_unavailable_answer() -> dict[str, Any]:
    """Keyword arguments of the API's 503 answer (a DRF Response or a JsonResponse) when the database cannot be
    reached: nothing was wrong with the request, so the client is told when to send it again."""
    message = _("The service is briefly unavailable; try again in a few seconds.")
    return {
        "data": error_body(ErrorCode.SERVICE_UNAVAILABLE, str(message)),
        "status": 503,
        "headers": {"Retry-After": str(RETRY_AFTER_SECONDS)},
    }


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:  # noqa: ARG001
    return JsonResponse(error_body(ErrorCode.NOT_FOUND, "No such page or resource."), status=404)


def json_500(request: HttpRequest) -> JsonResponse:  # noqa: ARG001
    return JsonResponse(error_body(ErrorCode.SERVER_ERROR, "Internal error; it has been logged."), status=500)


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know, so typos never pass silently."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def idempotency_key_header(description: str) -> OpenApiParameter:
    """The optional ``Idempotency-Key`` header, for the schema of an endpoint that creates something."""
    return OpenApiParameter(
        "Idempotency-Key", location=OpenApiParameter.HEADER, required=False, description=description
    )


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` (1 to 128 characters, stripped), or None when it sent none."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 128 or not key.isprintable():
        raise exceptions.ValidationError({"Idempotency-Key": ["Send 1 to 128 printable characters, e.g. a UUID."]})
    return key
