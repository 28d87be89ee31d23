"""Which language a request gets: the user's saved choice, the switcher's cookie, Accept-Language, the default."""

from __future__ import annotations

import pytest
from django.test import Client

from oms.accounts.models import LanguagePreference
from oms.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def html_lang(client: Client, path: str = "/login/") -> str:
    html = client.get(path).content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_default_is_simplified_chinese_unless_the_shop_says_otherwise(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert html_lang(Client()) == "zh-hans"
    settings.LANGUAGE_CODE = "en"
    assert html_lang(Client()) == "en"


def test_the_browser_language_comes_before_the_default(settings):
    settings.LANGUAGE_CODE = "en"
    assert html_lang(Client(headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})) == "zh-hans"
    settings.LANGUAGE_CODE = "zh-hans"
    assert html_lang(Client(headers={"accept-language": "en-GB,en;q=0.9"})) == "en"
    assert html_lang(Client(headers={"accept-language": "fr-FR"})) == "zh-hans"  # unsupported: the default


def test_the_switcher_overrides_the_browser_and_sends_the_user_back(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    browser = Client(headers={"accept-language": "zh-CN"})
    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/cart/"})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert html_lang(browser) == "en"
    # An address elsewhere is not followed.
    response = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert html_lang(browser) == "zh-hans"


def test_a_signed_in_users_choice_is_saved_and_follows_them_to_another_browser(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    user = UserFactory(username="lin")
    first = Client(headers={"accept-language": "zh-CN"})
    first.force_login(user)
    first.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert LanguagePreference.objects.get(user=user).language == "en"

    second = Client(headers={"accept-language": "zh-CN"})  # a new browser, Chinese, no cookie
    second.force_login(user)
    assert html_lang(second, "/orders/") == "en"
    assert html_lang(Client(headers={"accept-language": "zh-CN"})) == "zh-hans"  # others are not affected


def test_an_unknown_language_changes_nothing(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    user = UserFactory(username="lin")
    browser = Client()
    browser.force_login(user)
    browser.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert not LanguagePreference.objects.exists()
    assert html_lang(browser) == "zh-hans"


def test_every_page_offers_the_switcher(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    html = Client().get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'value="en"' in html and "English" in html


def test_the_switcher_without_a_next_field_goes_back_to_the_page_it_was_on(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    browser = Client()
    response = browser.post("/i18n/setlang/", {"language": "en"}, headers={"referer": "http://testserver/cart/"})
    assert response.status_code == 302 and response["Location"] == "http://testserver/cart/"
    response = browser.post("/i18n/setlang/", {"language": "en"}, headers={"referer": "https://evil.example/x"})
    assert response["Location"] == "/"


def test_api_errors_speak_the_requests_language_with_the_same_code(settings, api_client):
    settings.LANGUAGE_CODE = "zh-hans"
    answers = {}
    for language in ("en", "zh-CN"):
        response = api_client.post(
            "/api/v1/auth/token/",
            {"username": "nobody", "password": "wrong"},
            format="json",
            headers={"accept-language": language},
        )
        answers[language] = response.json()
    assert answers["en"]["code"] == answers["zh-CN"]["code"]
    assert answers["en"]["message"] != answers["zh-CN"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answers["zh-CN"]["message"])
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in answers["en"]["message"])
