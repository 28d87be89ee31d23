"""The language switcher's target: Django's set_language (cookie, safe redirect back), plus the signed-in user's
saved choice so that it follows them to other browsers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from oms.accounts.language import SESSION_KEY, SUPPORTED, save_language_preference


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    language = request.POST.get("language", "")
    if language in SUPPORTED and request.user.is_authenticated:
        save_language_preference(request.user, language)
        request.session[SESSION_KEY] = language
    return response
