from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from oms.accounts.api import urlpatterns as accounts_api
from oms.aftersales.api import urlpatterns as aftersales_api
from oms.catalog.api import urlpatterns as catalog_api
from oms.inventory.api import urlpatterns as inventory_api
from oms.orders.api import urlpatterns as orders_api
from oms.payments import views as payment_views
from oms.payments.api import urlpatterns as payments_api
from oms.purchasing.api import urlpatterns as purchasing_api
from oms.shipping import views as shipping_views
from oms.shipping.api import urlpatterns as shipping_api
from oms.storefront.views import payment_return

api_v1 = (
    accounts_api
    + catalog_api
    + inventory_api
    + payments_api
    + orders_api
    + shipping_api
    + aftersales_api
    + purchasing_api
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("console/", include("oms.console.urls")),
    path("api/v1/", include(api_v1)),
    path("api/v1/payments/alipay/notify/", payment_views.alipay_notify, name="alipay-notify"),
    path("api/v1/carriers/<str:carrier>/webhook/", shipping_views.carrier_webhook, name="carrier-webhook"),
    path("payments/alipay/return/", payment_return.alipay_return, name="alipay-return"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

if settings.ALIPAY_SANDBOX:
    urlpatterns.append(path("sandbox/", include("oms.sandbox.urls")))
# Last: the storefront owns "/" and the short paths under it (/login/, /cart/, /orders/...).
urlpatterns.append(path("", include("oms.storefront.urls")))

handler404 = "oms.common.api.json_404"
handler500 = "oms.common.api.json_500"
