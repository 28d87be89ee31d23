"""The checkout's province → city → district lists: htmx asks for the next list when one above changes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oms.regions import regions
from oms.regions.forms import CHOOSE_CITY, CHOOSE_DISTRICT


def _options(request: HttpRequest, names: list[str], placeholder: str, selected: str) -> HttpResponse:
    context = {"names": names, "placeholder": placeholder, "selected": selected}
    return render(request, "storefront/_region_options.html", context)


@require_GET
def cities(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of the cities of ``province`` (only the placeholder for an unknown one)."""
    province = request.GET.get("province", "")
    return _options(request, regions.cities(province), str(CHOOSE_CITY), request.GET.get("city", ""))


@require_GET
def districts(request: HttpRequest) -> HttpResponse:
    """The ``<option>``s of the districts of ``city`` in ``province``."""
    province, city = request.GET.get("province", ""), request.GET.get("city", "")
    names = regions.districts(province, city)
    return _options(request, names, str(CHOOSE_DISTRICT), request.GET.get("district", ""))
