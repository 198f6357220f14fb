from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse


@pytest.mark.django_db
def test_it_answers_ok_without_a_login(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_head_for_probes(client):
    assert client.head(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_it_says_503_when_the_database_is_unreachable(client):
    with mock.patch("kpi_tracker.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"database unavailable" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_other_methods(client, method):
    assert getattr(client, method)(reverse("healthz")).status_code == 405
