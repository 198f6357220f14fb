"""While the database is unreachable every page answers a friendly Thai 503 (never a 500 with a
traceback), and the app recovers by itself once the database is back.
"""

import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse

from kpi_tracker.middleware import server_error
from tests.test_deploy_settings import assert_csp_clean, production_env

ROOT = Path(__file__).resolve().parents[1]
THAI_503 = "ระบบไม่พร้อมให้บริการชั่วคราว"


@contextmanager
def database_down():
    """Every new cursor fails the way psycopg2/sqlite3 fail when the server is gone."""
    connection = connections["default"]

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    connection.ensure_connection = refuse
    try:
        yield
    finally:
        del connection.ensure_connection


def assert_friendly_503(response):
    body = response.content.decode()
    assert response.status_code == 503
    assert THAI_503 in body
    assert response["Retry-After"].isdigit()
    assert "Traceback" not in body and "OperationalError" not in body
    assert_csp_clean(body, "503")


def test_a_logged_in_user_gets_the_thai_503_page_and_the_app_recovers(cast):
    # The session middleware's save fails too and goes through handler500; the test client would
    # re-raise that exception instead of returning the response a browser gets.
    client = Client(raise_request_exception=False)
    client.force_login(cast.staff_a)
    page = reverse("assessment-detail", args=[cast.assessment_a.pk])
    with database_down():
        assert_friendly_503(client.get(page))
        assert_friendly_503(client.get(reverse("overview")))
        assert_friendly_503(client.post(reverse("logout")))
    # Back up: the same session works again, nothing to restart.
    assert client.get(page).status_code == 200


def test_a_form_post_while_the_database_is_down_is_a_503_too(cast):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post(reverse("login"), {"username": "staff_a", "password": "x"})
    assert_friendly_503(response)


def test_the_error_handler_answers_503_for_database_errors_and_a_plain_thai_500_otherwise(rf):
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert_friendly_503(server_error(rf.get("/")))
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "เกิดข้อผิดพลาดในระบบ" in body and "Traceback" not in body and "a bug" not in body


def test_with_production_settings_a_closed_database_port_answers_503(tmp_path):
    """A real connection attempt to a port nobody listens on, with DEBUG off."""
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.core.management import call_command
        from django.test import Client
        call_command("collectstatic", "--noinput", verbosity=0)  # production serves hashed names
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "a-session-from-before-the-outage"
        for path in ("/", "/overview/", "/assessments/1/"):
            r = client.get(path, secure=True)
            print(path, r.status_code, r.get("Retry-After"), "ระบบไม่พร้อมให้บริการชั่วคราว" in r.content.decode())
        """
    )
    env = production_env(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/kpi_nowhere", ALLOWED_HOSTS="testserver"
    )
    env["PGCONNECT_TIMEOUT"] = "3"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert [line.split()[1:] for line in lines if line] == [["503", "15", "True"]] * 3, result.stdout


def test_an_upload_cut_off_by_the_outage_answers_503_and_leaves_no_file(
    cast, before_deadline, settings, tmp_path, monkeypatch
):
    """The database goes away between storing the file and writing its audit record: the
    transaction rolls back, the stored file is deleted, the user gets the 503 page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    import evidence.services.files
    from evidence.models import EvidenceFile
    from tests.fixtures import hostile

    root = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }

    def outage(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(evidence.services.files, "audit_record", outage)
    client = Client(raise_request_exception=False)
    client.force_login(cast.staff_a)
    response = client.post(
        reverse("evidence-upload", args=[cast.assessment_a.pk, 1]),
        {"files": SimpleUploadedFile("คำสั่ง.pdf", hostile.pdf(), "application/pdf"), "evidence_date": "2020-07-01"},
    )
    assert_friendly_503(response)
    assert not EvidenceFile.objects.exists()
    assert [p for p in root.rglob("*") if p.is_file()] == []
