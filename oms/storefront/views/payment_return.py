"""Where the shopper's browser lands after paying at the gateway: a shop page saying what became of the payment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oms.payments import services as payment_services


@require_GET
def alipay_return(request: HttpRequest) -> HttpResponse:
    """The return fields carry no trade status, so this page never marks an order paid by itself: it asks the
    gateway (a signed query) and otherwise says the payment is being confirmed. A link that does not verify, or
    names no payment of ours, is answered 400 and names no order.
    """
    status = payment_services.settle_from_return(
        provider="alipay", params={key: str(value) for key, value in request.GET.items()}
    )
    return render(
        request,
        "storefront/payment_return.html",
        {"outcome": status.outcome, "order_no": status.order_no},
        status=200 if status.valid else 400,
    )
