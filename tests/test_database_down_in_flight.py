"""A request already inside the app when PostgreSQL goes away (seen in the fault run).

The view has answered; then the session middleware saves the session (a login, a message, the
once-a-minute idle refresh) and the database is gone. The person gets the Thai 503 page like every other request during the outage, not Django's
bare "Bad Request (400)" from SessionInterrupted (kpi_tracker/sessions.py).
"""

from unittest import mock

from django.contrib.sessions.models import Session
from django.db import OperationalError
from django.urls import reverse


def test_a_request_in_flight_when_the_database_goes_away_gets_the_thai_503_page(cast, login):
    client = login(cast.staff_a)
    url = reverse("assessment-detail", args=[cast.assessment_a.pk])
    client.get(url)  # the session exists
    session = client.session
    session["_refreshed_at"] = 0  # due for its once-a-minute refresh: this request saves it
    session.save()

    client.raise_request_exception = False  # look at what the person gets, as a real server answers
    with mock.patch.object(Session, "save", side_effect=OperationalError("server closed the connection")):
        response = client.get(url)

    assert response.status_code == 503
    assert "ระบบ" in response.content.decode()


def test_a_session_that_really_vanished_is_still_a_400(cast, login):
    """Only an outage changes: a session deleted under the request (a logout elsewhere) stays Django's 400."""
    from django.contrib.sessions.backends.base import UpdateError

    client = login(cast.staff_a)
    url = reverse("assessment-detail", args=[cast.assessment_a.pk])
    client.get(url)
    session = client.session
    session["_refreshed_at"] = 0
    session.save()
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.save", side_effect=UpdateError):
        response = client.get(url)
    assert response.status_code == 400
