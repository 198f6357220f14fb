"""Scale-out: two app servers, one PostgreSQL database, one S3 endpoint, no shared local disk.

Two gunicorn processes with the production settings (DEBUG off), each with its own VAR_DIR
(its own static build, nothing else on disk), share a PostgreSQL database of their own
(kpi_tracker_scaleout, recreated) and an S3 endpoint (moto's server, the `s3_server` fixture).
One browser-like client with one cookie jar talks to both, as it would through a load
balancer: a login on one works on the other (sessions in the database), a file uploaded
through one downloads through the other with the same sha256 (evidence in S3), a submission
and a reviewer's decision made on one show on the other, a report rendered on one is the same
on the other, and neither host writes anything to its own disk but its static build and log.

Runs whenever PostgreSQL is reachable on 127.0.0.1:5432 (always, here and in CI), in both CI
passes: it uses its own database whatever DATABASE_URL says.
"""

import hashlib
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import create_bucket, free_port
from tests.fixtures.documents import one_page_pdf

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432"
DB_NAME = f"kpi_tracker_scaleout_{os.getpid()}"  # two runs at once on one machine must not collide
PASSWORD = "scale-out-password-2563"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DOWNLOAD_RE = re.compile(r'href="(/evidence/\d+/download/)"')
REVIEW_RE = re.compile(r'href="(/review/steps/\d+/)"')

SEED = """
import datetime as dt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from milestones.models import Assessment, Profile, Role, SupervisingGroup, Unit
from milestones.services import extension_decide, extension_request
call_command("load_units", "data/units/sample-units.csv", "--sample")
call_command("load_groups", "data/groups/groups.csv")
call_command("load_rubric", "data/rubrics/2563-indicator-2.yaml")
User = get_user_model()
staff = User.objects.create_user("central", password=PASSWORD)
reviewer = User.objects.create_user("reviewer", password=PASSWORD)
unit = Unit.objects.get(code="C-ICT")
Profile.objects.create(user=staff, role=Role.STAFF, unit=unit)
Profile.objects.create(user=reviewer, role=Role.REVIEWER).supervising_groups.set(SupervisingGroup.objects.filter(code="PSDG"))
assessment = Assessment.objects.get(unit=unit)
extension = extension_request(assessment=assessment, user=staff, reason="ทดสอบหลายเครื่อง")
extension_decide(extension=extension, user=reviewer, grant=True, new_deadline=dt.date.today() + dt.timedelta(days=60))
print("assessment", assessment.pk, "step1", assessment.steps.get(step__number=1).pk)
"""


def _pg_connect(dbname: str = "postgres"):
    import psycopg2

    return psycopg2.connect(dbname=dbname, user="postgres", host="127.0.0.1", port=5432, connect_timeout=3)


@pytest.fixture(scope="module")
def database_url():
    import psycopg2

    from kpi_tracker.lib.databases import create_database, drop_database

    try:
        _pg_connect().close()
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")
    url = f"{PG_BASE}/{DB_NAME}"
    create_database(url, recreate=True)
    yield url
    drop_database(url)


def _run(args: list[str], env: dict, timeout: int = 120) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-1500:]}\n{result.stderr[-3000:]}"
    return result.stdout


class AppServer:
    def __init__(self, env: dict, var_dir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "VAR_DIR": str(var_dir)}
        self.log = var_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "kpi_tracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "2",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def wait_ready(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.base}/healthz/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{self.base} did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def servers(database_url, s3_server, tmp_path_factory):
    bucket = "kpi-scaleout"
    create_bucket(s3_server, bucket)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "kpi_tracker.settings",
        "DEBUG": "0",
        "SECRET_KEY": "scale-out-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",  # plain HTTP on loopback: no TLS proxy in this test
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "60",
        "EVIDENCE_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    setup_dir = Path(tempfile.mkdtemp(prefix="kpi-scaleout-setup-"))
    setup_env = {**env, "VAR_DIR": str(setup_dir)}
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], setup_env)
    seeded = _run([sys.executable, "manage.py", "shell", "-c", f"PASSWORD = {PASSWORD!r}\n{SEED}"], setup_env)
    match = re.search(r"assessment (\d+) step1 (\d+)", seeded)
    assessment_pk, step1_pk = int(match.group(1)), int(match.group(2))

    hosts = [AppServer(env, tmp_path_factory.mktemp(f"host{i}")) for i in (1, 2)]
    builds = [
        subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=host.env)
        for host in hosts
    ]
    assert all(build.wait(timeout=120) == 0 for build in builds)
    try:
        for host in hosts:
            host.start()
        for host in hosts:
            host.wait_ready()
        yield hosts[0], hosts[1], assessment_pk, step1_pk
    finally:
        for host in hosts:
            host.stop()


class Browser:
    """One person behind a load balancer: one cookie jar, requests to either host."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def get(self, url: str) -> tuple[int, str, bytes]:
        with self.opener.open(url, timeout=30) as response:
            body = response.read()
            text = body.decode("utf-8", "replace") if "text/html" in response.headers.get("Content-Type", "") else ""
            self._remember_csrf(text)
            return response.status, text, body

    def post(self, url: str, fields: dict, files: list[tuple[str, str, bytes]] = ()) -> tuple[int, str]:
        fields = {"csrfmiddlewaretoken": self.csrf, **fields}
        if files:
            boundary = "----scaleout" + hashlib.sha256(url.encode()).hexdigest()[:16]
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in fields.items()
            ]
            for field, name, content in files:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                    "Content-Type: application/pdf\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            parts.append(f"--{boundary}--\r\n".encode())
            data, content_type = b"".join(parts), f"multipart/form-data; boundary={boundary}"
        else:
            data, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
        with self.opener.open(request, timeout=30) as response:
            text = response.read().decode("utf-8", "replace")
            self._remember_csrf(text)
            return response.status, text

    def _remember_csrf(self, text: str) -> None:
        match = CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1)

    def log_in(self, host: AppServer, username: str) -> str:
        self.get(f"{host.base}/login/")
        _, text = self.post(f"{host.base}/login/", {"username": username, "password": PASSWORD})
        return text


def test_two_app_servers_share_sessions_evidence_and_decisions(servers):
    one, two, pk, step1 = servers
    person = Browser()

    # A login on one host is a login on the other: the session lives in the database.
    person.log_in(one, "central")
    status, text, _ = person.get(f"{two.base}/assessments/{pk}/")
    assert status == 200 and "ออกจากระบบ" in text

    # A file uploaded through one host downloads through the other, byte for byte.
    content = one_page_pdf("scale-out evidence")
    person.get(f"{one.base}/assessments/{pk}/steps/1/")
    _, text = person.post(
        f"{one.base}/assessments/{pk}/steps/1/upload/",
        {"evidence_date": "2020-08-01"},
        files=[("files", "หลักฐานสองเครื่อง.pdf", content)],
    )
    assert "อัปโหลด “หลักฐานสองเครื่อง.pdf” แล้ว" in text
    _, text, _ = person.get(f"{two.base}/assessments/{pk}/steps/1/")
    downloads = DOWNLOAD_RE.findall(text)
    assert len(downloads) == 1
    status, _, body = person.get(f"{two.base}{downloads[0]}")  # redirects to a presigned S3 URL
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(content).hexdigest()

    # A submission made through the second host shows on the first.
    person.post(f"{two.base}/assessments/{pk}/steps/1/save/", {"summary": "ทบทวนกระบวนการงานแล้ว"})
    _, text = person.post(f"{two.base}/assessments/{pk}/steps/1/submit/", {})
    assert "ส่งขั้นตอนที่ 1 แล้ว" in text
    _, text, _ = person.get(f"{one.base}/assessments/{pk}/")
    assert "ส่งแล้ว รอตรวจ" in text

    # A reviewer accepts it through the first host; the unit's page on the second shows level 1.
    reviewer = Browser()
    reviewer.log_in(one, "reviewer")
    _, text, _ = reviewer.get(f"{one.base}/review/")
    assert f"/review/steps/{step1}/" in REVIEW_RE.findall(text)
    reviewer.get(f"{one.base}/review/steps/{step1}/")
    _, text = reviewer.post(f"{one.base}/review/steps/{step1}/decide/", {"kind": "accepted", "comment": ""})
    assert "alert-success" in text
    _, text, _ = person.get(f"{two.base}/assessments/{pk}/")
    assert "ระดับ 1" in text
    assert 'class="status-accepted"' in text

    # The score report renders on one host and is served from the shared cache (in S3) on the other.
    _, _, first = person.get(f"{one.base}/reports/assessments/{pk}/score.pdf")
    _, _, second = person.get(f"{two.base}/reports/assessments/{pk}/score.pdf")
    assert first.startswith(b"%PDF-") and second == first

    # Neither host kept anything on its own disk but its static build and its log.
    for host in (one, two):
        var_dir = Path(host.env["VAR_DIR"])
        local = [
            str(p.relative_to(var_dir))
            for p in var_dir.rglob("*")
            if p.is_file() and p.relative_to(var_dir).parts[0] != "staticfiles" and p != host.log
        ]
        assert local == [], f"{host.base} wrote local state: {local}"
