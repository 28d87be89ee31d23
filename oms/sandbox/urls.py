"""Mounted at ``sandbox/`` by the root URLconf: ``path("sandbox/", include("oms.sandbox.urls"))``."""

from django.urls import path

from oms.sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("alipay/gateway.do", views.alipay_gateway, name="alipay-gateway"),
    path("alipay/cashier/pay", views.alipay_pay, name="alipay-pay"),
    path("alipay/cashier/cancel", views.alipay_cancel, name="alipay-cancel"),
]
