"""The signed-in user's language: saved by the switcher, applied on every request after authentication.

Django's LocaleMiddleware has already chosen from the switcher's cookie, then Accept-Language, then LANGUAGE_CODE;
a saved choice overrides all of those, so the language follows the user from one browser to the next.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from oms.accounts.models import LanguagePreference

SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)
# The saved choice is read from the database once per session and kept here ("" = none saved).
SESSION_KEY = "oms_language"


def save_language_preference(user: AbstractBaseUser, language: str) -> None:
    if language not in SUPPORTED:
        raise ValueError(f"unsupported language {language!r}")
    LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})


def saved_language(user: AbstractBaseUser | AnonymousUser) -> str | None:
    if not user.is_authenticated:
        return None
    language = LanguagePreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return language if language in SUPPORTED else None


class SavedLanguageMiddleware:
    """Runs after AuthenticationMiddleware (session users; API token users follow Accept-Language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only requests with a session can have a signed-in user: the API's token requests and static files skip
        # this without a database read.
        if request.session.session_key:
            language = request.session.get(SESSION_KEY)
            if language is None and request.user.is_authenticated:
                language = saved_language(request.user) or ""
                request.session[SESSION_KEY] = language
            if language and language in SUPPORTED and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
