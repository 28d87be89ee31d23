"""The sandbox plus a tiny merchant that verifies what the sandbox sends, as a shop's views would."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from oms.payments.alipay import AlipayClient
from oms.sandbox.keys import sandbox_config
from oms.web_vendor.language import switch_language


@csrf_exempt
def merchant_notify(request: HttpRequest) -> HttpResponse:
    verified = AlipayClient(sandbox_config("http://testserver")).verify_notification(request.POST.dict())
    return HttpResponse("success" if verified else "failure", content_type="text/plain")


urlpatterns = [
    path("sandbox/", include("oms.sandbox.urls")),
    path("merchant/alipay/notify", merchant_notify),
    path("i18n/setlang/", switch_language, name="switch-language"),  # the cashier's language switcher
]
