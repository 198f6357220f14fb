"""Thai first: the browser's language does not switch the interface; the language button does."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_thai(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "th"
    assert "เข้าสู่ระบบ" in response.content.decode()


def test_the_language_button_switches_to_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="th")
    assert response["Content-Language"] == "en"
    assert 'lang="en"' in response.content.decode()
    client.post(reverse("set_language"), {"language": "th", "next": "/"})
    assert client.get(reverse("login"))["Content-Language"] == "th"


def test_an_unknown_language_cookie_gives_thai(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "th"
