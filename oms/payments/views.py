"""Gateway-facing endpoints (no login): the asynchronous notification and the shopper's return page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from oms.common.request_body import BodyTooLarge, MalformedBody, parse_urlencoded_form, read_limited_body
from oms.payments import notifications, services


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
        params = parse_urlencoded_form(body, content_type=request.content_type)
    except MalformedBody:
        return HttpResponse("failure", status=400, content_type="text/plain")
    accepted = notifications.handle_notification(provider="alipay", params=params)
    return HttpResponse("success" if accepted else "failure", content_type="text/plain")


@require_GET
def alipay_return(request: HttpRequest) -> HttpResponse:
    """The browser comes back here after paying. Its fields carry no trade status, so this page never marks an
    order paid by itself: it asks the gateway (a signed query) and otherwise shows "processing".
    """
    status = services.settle_from_return(provider="alipay", params=dict(request.GET.items()))
    return HttpResponse(
        f"<!doctype html><title>Payment {status.title}</title><meta name=viewport content='width=device-width'>"
        f"<main style='font-family:sans-serif;max-width:32rem;margin:3rem auto'><h1>{status.title}</h1>"
        f"<p>{status.message}</p><p><a href='/orders/{status.order_no}/'>Your order</a></p></main>",
        status=200 if status.valid else 400,
    )
