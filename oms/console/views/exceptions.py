from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oms.console.access import staff_required
from oms.payments.selectors import exception_queue


@staff_required("orders.manage_orders")
def exceptions(request: HttpRequest) -> HttpResponse:
    return render(request, "console/exceptions.html", {"queue": exception_queue(limit=200), "nav": "exceptions"})
