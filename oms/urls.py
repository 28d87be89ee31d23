from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from oms.accounts.api import urlpatterns as accounts_api
from oms.aftersales.api import urlpatterns as aftersales_api
from oms.catalog.api import urlpatterns as catalog_api
from oms.inventory.api import urlpatterns as inventory_api
from oms.orders.api import urlpatterns as orders_api
from oms.payments import views as payment_views
from oms.payments.api import urlpatterns as payments_api
from oms.planning.api import urlpatterns as planning_api
from oms.purchasing.api import urlpatterns as purchasing_api
from oms.shipping import views as shipping_views
from oms.shipping.api import urlpatterns as shipping_api
from oms.storefront.views import payment_return
from oms.web_vendor.language import switch_language

api_v1 = (
    accounts_api
    + catalog_api
    + inventory_api
    + payments_api
    + orders_api
    + shipping_api
    + aftersales_api
    + planning_api  # before purchasing: it owns purchase-orders/from-suggestions/
    + purchasing_api
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", switch_language, name="switch-language"),
    path("console/", include("oms.console.urls")),
    path("api/v1/", include(api_v1)),
    path("api/v1/payments/alipay/notify/", payment_views.alipay_notify, name="alipay-notify"),
    path("api/v1/carriers/<str:carrier>/webhook/", shipping_views.carrier_webhook, name="carrier-webhook"),
    path("payments/alipay/return/", payment_return.alipay_return, name="alipay-return"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's static files; its start-up script is a separate request
    # (/api/docs/?script=) because the Content-Security-Policy allows no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/swagger_ui.html"),
        name="swagger-ui",
    ),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's): no 404 in their console.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("web/favicon.svg"), permanent=True)),
]

if settings.ALIPAY_SANDBOX:
    urlpatterns.append(path("sandbox/", include("oms.sandbox.urls")))
# Last: the storefront owns "/" and the short paths under it (/login/, /cart/, /orders/...).
urlpatterns.append(path("", include("oms.storefront.urls")))

# JSON under /api/, a page of the shop or the console elsewhere.
handler404 = "oms.web_vendor.error_pages.page_not_found"
handler500 = "oms.web_vendor.error_pages.server_error"
