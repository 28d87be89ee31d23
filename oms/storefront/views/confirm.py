"""The confirm step of the customer's order and return actions, rendered by the server so that it works without
JavaScript.

The buttons on the order page are GET forms: without JavaScript (or when htmx fails to load) they open the action's
confirm page, and only its POST form — CSRF token, ``confirmed=yes`` — performs the action. With htmx the same
button asks through hx-confirm and posts ``confirmed=yes`` itself (hx-vals). A POST without it, e.g. from a page
cached before this step existed, gets the confirm page too: nothing a customer does happens unconfirmed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

CONFIRMED = "yes"


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirmed") == CONFIRMED


def submitted(request: HttpRequest) -> QueryDict:
    """The action's fields: the query string of a GET form, or the posted form."""
    return request.POST if request.method == "POST" else request.GET


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    button: str,
    back: str,
    summary: list[tuple[str, str]] | None = None,
    explanation: str = "",
    form: forms.Form | None = None,
    danger: bool = False,
) -> HttpResponse:
    """The page that asks once more: ``title`` as its heading, what will happen, and a POST form repeating the
    ``form``'s fields as the customer gave them, with ``confirmed=yes``. ``back`` is where "No" leads."""
    fields = []
    if form is not None:  # only the form's own fields go into the page, never whatever else the URL carried
        fields = [(name, value) for name in form.fields for value in form.data.getlist(form.add_prefix(name))]  # type: ignore[attr-defined]  # request.POST: a QueryDict
    context = {
        "title": title,
        "button": button,
        "back": back,
        "summary": summary or [],
        "explanation": explanation,
        "fields": fields,
        "danger": danger,
        "action_url": request.path,
    }
    return render(request, "storefront/confirm.html", context)


def no_longer_possible(request: HttpRequest, message: str, back: str) -> HttpResponse:
    """Instead of a confirm page for an action the order or return no longer allows: say so where it stands."""
    messages.info(request, message)
    return redirect(back)
