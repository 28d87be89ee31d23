from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oms.console.access import staff_required
from oms.payments.selectors import exception_page

PAGE_SIZE = 50


@staff_required("orders.manage_orders")
def exceptions(request: HttpRequest) -> HttpResponse:
    """The queue, oldest first, PAGE_SIZE orders a page (numbered: the queue is short next to the orders table)."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = exception_page(number=number if 0 < number < 10**6 else 1, size=PAGE_SIZE)
    context = {
        "queue": page.entries,
        "total": page.total,
        "number": page.number,
        "pages": page.pages,
        "previous_page": page.number - 1 if page.number > 1 else None,
        "next_page": page.number + 1 if page.number < page.pages else None,
        "nav": "exceptions",
    }
    return render(request, "console/exceptions.html", context)
