from django.conf import settings
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from oms.accounts.api import urlpatterns as accounts_api
from oms.catalog.api import urlpatterns as catalog_api
from oms.inventory.api import urlpatterns as inventory_api
from oms.orders.api import urlpatterns as orders_api
from oms.payments import views as payment_views
from oms.payments.api import urlpatterns as payments_api

api_v1 = accounts_api + catalog_api + inventory_api + payments_api + orders_api

urlpatterns = [
    path("", lambda request: HttpResponseRedirect("/api/docs/"), name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/payments/alipay/notify/", payment_views.alipay_notify, name="alipay-notify"),
    path("payments/alipay/return/", payment_views.alipay_return, name="alipay-return"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

if settings.ALIPAY_SANDBOX:
    urlpatterns.append(path("sandbox/", include("oms.sandbox.urls")))

handler404 = "oms.common.api.json_404"
handler500 = "oms.common.api.json_500"
