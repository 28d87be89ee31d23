"""The site's URLs plus views that fail, to see the server error pages through the whole stack."""

from django.urls import path

from oms.urls import handler404, handler500  # noqa: F401 - Django reads them from the root URLconf
from oms.urls import urlpatterns as site


def boom(request):  # noqa: ARG001
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("console/boom/", boom), path("api/v1/boom/", boom), *site]
