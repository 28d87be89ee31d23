"""Gateway-facing endpoint (no login): the asynchronous notification. The shopper's return page is the shop's
(``oms.storefront.views.payment_return``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oms.common.request_body import BodyTooLarge, MalformedBody, parse_urlencoded_form, read_limited_body
from oms.payments import notifications


@csrf_exempt
@require_POST
def alipay_notify(request: HttpRequest) -> HttpResponse:
    """Alipay posts form fields; it stops retrying when the body is exactly ``success``.

    Unauthenticated: a body over NOTIFICATION_MAX_BYTES is refused (413) before more of it is read, and a body that
    is not a well-formed UTF-8 form is a 400; both answer ``failure`` and store nothing.

    The answer is produced after the settling transaction committed, so ``success`` is never sent for a change
    that could still roll back.
    """
    try:
        body = read_limited_body(request, max_bytes=notifications.NOTIFICATION_MAX_BYTES)
    except BodyTooLarge:
        return HttpResponse("failure", status=413, content_type="text/plain")
    try:
        params = parse_urlencoded_form(body, content_type=request.content_type or "")
    except MalformedBody:
        return HttpResponse("failure", status=400, content_type="text/plain")
    accepted = notifications.handle_notification(provider="alipay", params=params)
    return HttpResponse("success" if accepted else "failure", content_type="text/plain")
