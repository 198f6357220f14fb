"""Production settings: `check --deploy` is clean, cookies and headers are strict, sessions expire
after 30 idle minutes, repeated failed logins are throttled, and no page needs inline script or style.
"""

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from kpi_tracker.lib.thai import BANGKOK
from milestones.models import AuditEvent
from tests.test_access_matrix import MATRIX, World, url_for, user_for

ROOT = Path(__file__).resolve().parents[1]


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "HTTPS"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kpi.example.go.th",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="kpi_tracker.settings",
    )
    env.update(extra)
    return env


def production_settings(tmp_path, names: list[str], **extra) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(tmp_path, **extra), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="single-host"),
        pytest.param(
            {
                "BEHIND_PROXY": "1",
                "TRUSTED_PROXIES": "10.0.0.0/24, 127.0.0.1",
                "EVIDENCE_STORAGE": "s3",
                "S3_BUCKET": "kpi-evidence",
                "S3_ENDPOINT_URL": "https://s3.internal:9000",
                "S3_ACCESS_KEY_ID": "key",
                "S3_SECRET_ACCESS_KEY": "secret",
                "DB_CONN_MAX_AGE": "60",
            },
            id="behind-a-load-balancer-with-s3",
        ),
    ],
)
def test_check_deploy_is_clean_with_production_values(tmp_path, extra):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path):
    s = production_settings(
        tmp_path,
        [
            "SESSION_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE",
            "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_HTTPONLY",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SESSION_COOKIE_AGE",
            "SESSION_SAVE_EVERY_REQUEST",
            "PASSWORD_HASHERS",
            "X_FRAME_OPTIONS",
            "SECURE_PROXY_SSL_HEADER",
        ],
    )
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_SECURE"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SESSION_COOKIE_AGE"] == 1800 and not s["SESSION_SAVE_EVERY_REQUEST"]  # refreshed by middleware
    assert s["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["SECURE_PROXY_SSL_HEADER"] is None  # only trusted behind a proxy, by choice


def test_with_s3_the_csp_allows_the_storage_origin_for_previews(tmp_path):
    s = production_settings(
        tmp_path,
        ["CONTENT_SECURITY_POLICY"],
        EVIDENCE_STORAGE="s3",
        S3_BUCKET="kpi-evidence",
        S3_ENDPOINT_URL="https://s3.internal:9000/",
    )
    directives = s["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "https://s3.internal:9000" in directives["img-src"]
    assert "https://s3.internal:9000" in directives["frame-src"]
    assert directives["default-src"] == ["'self'"]


def test_behind_a_tls_proxy_the_forwarded_proto_header_is_trusted(tmp_path):
    s = production_settings(tmp_path, ["SECURE_PROXY_SSL_HEADER"], BEHIND_PROXY="1")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_without_the_proxy_flag_forwarded_headers_are_ignored(client, cast):
    client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.get(action="login").ip_address == "127.0.0.1"


def test_behind_a_proxy_on_the_same_host_the_default_trusts_only_loopback(tmp_path):
    s = production_settings(tmp_path, ["TRUSTED_PROXIES"], BEHIND_PROXY="1")
    assert s["TRUSTED_PROXIES"] == ["127.0.0.1/32", "::1/128"]
    assert production_settings(tmp_path, ["TRUSTED_PROXIES"])["TRUSTED_PROXIES"] == []


@pytest.mark.parametrize("value", ["10.0.0.1/8", "proxy.internal", "10.0.0.300", "10.0.0.0/24;127.0.0.1"])
def test_a_trusted_proxy_that_is_not_strictly_an_address_or_network_stops_start_up(tmp_path, value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=production_env(tmp_path, BEHIND_PROXY="1", TRUSTED_PROXIES=value),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr


def test_every_response_carries_the_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "img-src 'self' data:" in csp
    assert "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp
    assert "form-action 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


# --- sessions -------------------------------------------------------------------------------------


def test_a_session_survives_activity_and_expires_after_30_idle_minutes(cast):
    client = Client()
    start = dt.datetime(2020, 8, 1, 9, 0, tzinfo=BANGKOK)
    page = reverse("assessment-detail", args=[cast.assessment_a.pk])
    with time_machine.travel(start, tick=False) as clock:
        assert client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}).status_code == 302
        for minutes in (20, 25, 29):  # each request restarts the idle clock
            clock.shift(dt.timedelta(minutes=minutes))
            assert client.get(page).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(page)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_activity_writes_the_session_at_most_once_a_minute(cast):
    from django.contrib.sessions.models import Session

    client = Client()
    start = dt.datetime(2020, 8, 1, 9, 0, tzinfo=BANGKOK)
    page = reverse("assessment-detail", args=[cast.assessment_a.pk])
    with time_machine.travel(start, tick=False) as clock:
        client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        first_expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(dt.timedelta(seconds=30))
        assert client.get(page).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == first_expiry  # no write within the minute
        clock.shift(dt.timedelta(seconds=31))
        assert client.get(page).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == first_expiry + dt.timedelta(seconds=61)


def test_anonymous_visitors_get_no_session(db, client):
    from django.contrib.sessions.models import Session

    client.get(reverse("login"))
    assert not Session.objects.exists()


# --- login throttling -----------------------------------------------------------------------------


def _fail(client, username="staff_a", ip="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_five_failed_logins_lock_the_username_from_that_address_for_15_minutes(cast):
    client = Client()
    start = dt.datetime(2020, 8, 1, 9, 0, tzinfo=BANGKOK)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            assert _fail(client).status_code == 200
        locked = _fail(client)
        assert locked.status_code == 429
        assert "ระงับการเข้าสู่ระบบชั่วคราว" in locked.content.decode()
        assert "15 นาที" in locked.content.decode()
        # Even the right password is refused while locked out, and nothing is audited.
        right = client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
        assert right.status_code == 429
        assert not AuditEvent.objects.filter(action="login").exists()
        # Another address, and another user from the same address, are not locked out.
        assert (
            Client()
            .post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99")
            .status_code
            == 302
        )
        assert (
            Client()
            .post(reverse("login"), {"username": "staff_b", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
            .status_code
            == 302
        )
        clock.shift(dt.timedelta(minutes=16))
        again = Client().post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="login", user=cast.staff_a).count() == 2


def test_a_successful_login_resets_the_failure_count(cast):
    client = Client()
    for _ in range(4):
        _fail(client)
    assert (
        client.post(
            reverse("login"), {"username": "staff_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
        ).status_code
        == 302
    )
    client.post(reverse("logout"))
    for _ in range(4):
        assert _fail(client).status_code == 200


def test_many_logins_in_tests_are_not_locked_out(cast):
    for _ in range(20):
        client = Client()
        assert client.post(reverse("login"), {"username": "reviewer", "password": PASSWORD}).status_code == 302


def test_authenticate_without_a_request_still_works_for_commands(cast):
    from django.contrib.auth import authenticate

    assert authenticate(username="viewer", password=PASSWORD) == get_user_model().objects.get(username="viewer")


# --- no inline script or style (the CSP forbids them) ---------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_csp_clean(html: str, where: str) -> None:
    assert not INLINE_SCRIPT.search(html), f"inline <script> on {where}: {INLINE_SCRIPT.search(html).group(0)}"
    assert not STYLE_ATTR.search(html), f"style= attribute on {where}: {STYLE_ATTR.search(html).group(0)[:200]}"
    assert not EVENT_HANDLER.search(html), f"on*= handler on {where}: {EVENT_HANDLER.search(html).group(0)[:200]}"


def _pages():
    for name, row in MATRIX.items():
        for role, status in row.expect["GET"].items():
            if status == 200:
                yield pytest.param(name, role, id=f"{name}-{role}")


@pytest.mark.parametrize("name, role", list(_pages()))
def test_every_page_works_under_the_csp(cast, before_deadline, name, role):
    world = World(cast)
    client = Client()
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    response = client.get(url_for(world, name))
    assert response.status_code == 200
    if response.get("Content-Type", "").startswith("text/html"):
        assert_csp_clean(response.content.decode(), f"{name} as {role}")


def test_error_and_lockout_pages_work_under_the_csp(cast, login):
    client = login(cast.staff_b)
    not_found = client.get(reverse("assessment-detail", args=[cast.assessment_a.pk]))
    forbidden = client.get(reverse("overview"))
    assert not_found.status_code == 404 and "ไม่พบ" in not_found.content.decode()
    assert forbidden.status_code == 403 and "หน้านี้สำหรับผู้กำกับตัวชี้วัดและผู้บริหาร" in forbidden.content.decode()
    anonymous = Client()
    for _ in range(5):
        locked = _fail(anonymous)
    for response, where in ((not_found, "404"), (forbidden, "403"), (locked, "lockout")):
        assert_csp_clean(response.content.decode(), where)


def test_the_admin_works_under_the_csp(cast, login):
    """The admin is ours to use (the management-systems group keeps the rubric there): no inline code."""
    from django.contrib import admin

    client = login(cast.admin)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{info}_changelist"))
        first = model._default_manager.first()
        if first is not None:
            urls.append(reverse(f"{info}_change", args=[first.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response.content.decode(), url)
