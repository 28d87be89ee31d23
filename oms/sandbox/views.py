"""HTTP side of the sandbox: the gateway endpoint and the cashier's pay / cancel forms.

CSRF-exempt on purpose: the gateway is called by other servers and by browsers coming from the merchant's
site, exactly like Alipay's, and the cashier forms move only sandbox money.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from oms.sandbox import gateway, services
from oms.sandbox.errors import INVALID_ARGUMENTS, SandboxRefusal, TradeAlreadyPaid
from oms.sandbox.models import SandboxTrade

# What the buyer reads of a trade's status (the gateway's own code is shown beside it).
TRADE_STATUS_LABELS = {
    SandboxTrade.Status.WAIT_BUYER_PAY: pgettext_lazy("sandbox trade status", "Waiting for payment"),
    SandboxTrade.Status.TRADE_SUCCESS: pgettext_lazy("sandbox trade status", "Paid"),
    SandboxTrade.Status.TRADE_CLOSED: pgettext_lazy("sandbox trade status", "Closed"),
}


def _message_page(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    trade = context.get("trade")
    if trade is not None:
        context["trade_status"] = TRADE_STATUS_LABELS.get(trade.status, "")
    return render(request, "sandbox/alipay/message.html", context, status=status)


def _request_params(request: HttpRequest) -> dict[str, str]:
    # Alipay's SDKs put the common params in the query string and biz_content in the form body; accept both.
    return {**request.GET.dict(), **request.POST.dict()}


def _refusal_page(request: HttpRequest, refusal: SandboxRefusal, *, status: int | None = None) -> HttpResponse:
    status = status or (400 if refusal.code == INVALID_ARGUMENTS else 409)
    return _message_page(request, {"title": _("Payment refused"), "refusal": refusal}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def alipay_gateway(request: HttpRequest) -> HttpResponse:
    params = _request_params(request)
    method = params.get("method", "")
    if method in gateway.PAY_METHODS:
        return _cashier(request, method, params)
    return HttpResponse(gateway.api_answer(params), content_type="application/json;charset=utf-8")


def _already_paid_page(request: HttpRequest, trade: SandboxTrade) -> HttpResponse:
    """The cashier of a trade already paid (the back button after paying, a second click on Pay): no Pay button,
    and the buyer goes back to the merchant's order through the signed return link, as after paying."""
    back_url = gateway.signed_return_url(trade) if trade.return_url else ""
    context = {"title": _("Already paid"), "trade": trade, "back_url": back_url, "paid": True}
    response = _message_page(request, context)
    response["Cache-Control"] = "no-store"
    return response


def _cashier(request: HttpRequest, method: str, params: dict[str, str]) -> HttpResponse:
    try:
        trade = services.open_trade(request=gateway.parse_pay_request(method, params))
    except TradeAlreadyPaid as paid:
        return _already_paid_page(request, paid.trade)
    except SandboxRefusal as refusal:
        return _refusal_page(request, refusal)
    response = render(request, "sandbox/alipay/cashier.html", {"trade": trade, "wap": method.endswith(".wap.pay")})
    # Not kept by the browser: the back button after paying asks again, and is told the trade is paid.
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def alipay_pay(request: HttpRequest) -> HttpResponse:
    try:
        trade = services.pay_trade(trade_no=request.POST.get("trade_no", ""))
    except TradeAlreadyPaid as paid:
        return _already_paid_page(request, paid.trade)
    except SandboxRefusal as refusal:
        return _refusal_page(request, refusal, status=404 if refusal.sub_code == "ACQ.TRADE_NOT_EXIST" else None)
    if trade.return_url:
        return HttpResponseRedirect(gateway.signed_return_url(trade))
    return _message_page(request, {"title": _("Payment successful"), "trade": trade})


@csrf_exempt
@require_POST
def alipay_cancel(request: HttpRequest) -> HttpResponse:
    try:
        trade = services.abandon_trade(trade_no=request.POST.get("trade_no", ""))
    except SandboxRefusal as refusal:
        return _refusal_page(request, refusal, status=404)
    return _message_page(request, {"title": _("Payment abandoned"), "trade": trade, "back_url": trade.return_url})
