"""Gateway-facing endpoint (no login): the asynchronous notification. The shopper's return page is the shop's
(``oms.storefront.views.payment_return``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oms.payments import notifications


@csrf_exempt
@require_POST
def alipay_notify(request: HttpRequest) -> HttpResponse:
    """Alipay posts form fields; it stops retrying when the body is exactly ``success``.

    The answer is produced after the settling transaction committed, so ``success`` is never sent for a change
    that could still roll back.
    """
    params = {key: request.POST.get(key, "") for key in request.POST}
    accepted = notifications.handle_notification(provider="alipay", params=params)
    return HttpResponse("success" if accepted else "failure", content_type="text/plain")
