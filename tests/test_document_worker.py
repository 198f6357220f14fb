"""The real background worker: `manage.py run_worker` as its own process builds a department
summary; killed (SIGKILL) in the middle of it, the job is not stuck: the next worker's watchdog
queues it again and it is built. In the SQLite pass on a SQLite file of its own (as make run runs
it), in the PostgreSQL pass on a database of its own (as production runs it).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432"

# Enough units that the summary takes a few seconds to render: time to kill the worker in it.
SEED = """
from django.core.management import call_command
from milestones.models import Indicator, Unit, UnitKind
from milestones.reporting.documents import request_document
from milestones.services import assessments_ensure
call_command("load_units", "data/units/sample-units.csv", "--sample")
call_command("load_groups", "data/groups/groups.csv")
call_command("load_rubric", "data/rubrics/2563-indicator-2.yaml")
Unit.objects.bulk_create(
    [Unit(code=f"W-{i:04d}", name=f"หน่วยงานทดสอบงานเบื้องหลัง {i}", kind=UnitKind.CENTRAL if i % 2 else UnitKind.REGIONAL) for i in range(400)]
)
indicator = Indicator.objects.get(number=2)
assessments_ensure(indicator=indicator)
job = request_document(kind="indicator-summary", params={"indicator": indicator.pk}, user=None)
print("job", job.pk)
"""


def _run(args: list[str], env: dict, timeout: int = 300) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-1500:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _sqlite_site(tmp_path: Path):
    path = tmp_path / "worker.sqlite3"

    def job(job_id: int) -> tuple[str, int, str]:
        with sqlite3.connect(path) as db:
            return db.execute(
                "SELECT status, attempts, stored_name FROM milestones_documentjob WHERE id = ?", [job_id]
            ).fetchone()

    return f"sqlite:///{path}", job, lambda: None


def _postgres_site(tmp_path: Path):
    import psycopg2

    from kpi_tracker.lib.databases import create_database, drop_database

    name = f"kpi_tracker_worker_{os.getpid()}"
    url = f"{PG_BASE}/{name}"
    try:
        create_database(url, recreate=True)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")

    def job(job_id: int) -> tuple[str, int, str]:
        with psycopg2.connect(dbname=name, user="postgres", host="127.0.0.1", port=5432) as db, db.cursor() as cursor:
            cursor.execute("SELECT status, attempts, stored_name FROM milestones_documentjob WHERE id = %s", [job_id])
            return cursor.fetchone()

    return url, job, lambda: drop_database(url)


@pytest.fixture
def site(tmp_path):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    url, job, drop = (_postgres_site if on_postgres else _sqlite_site)(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpi_tracker.settings",
        "DEBUG": "1",
        "DATABASE_URL": url,
        "VAR_DIR": str(tmp_path / "var"),
        "DOCUMENT_JOB_STALE_SECONDS": "3",
    }
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
    out = _run([python, "manage.py", "shell", "-c", SEED], env)
    job_id = int(out.split("job", 1)[1].split()[0])
    try:
        yield env, job_id, job
    finally:
        drop()


def _worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", "-v0"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(job, job_id: int, statuses: set[str], timeout: float) -> tuple[str, int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = job(job_id)
        if row[0] in statuses:
            return row
        time.sleep(0.05)  # polling another process's progress, not timing a test
    raise AssertionError(f"job {job_id} did not reach {statuses}: {job(job_id)}")


def test_a_worker_killed_mid_job_leaves_the_job_to_be_retried_never_stuck(site, tmp_path):
    env, job_id, job = site
    log = tmp_path / "worker.log"
    first = _worker(env, log)
    try:
        _wait(job, job_id, {"running"}, timeout=120)
        first.send_signal(signal.SIGKILL)  # in the middle of rendering
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    status, attempts, _stored = job(job_id)
    assert (status, attempts) == ("running", 1)  # what the dead worker left

    second = _worker(env, log)
    try:
        status, attempts, stored = _wait(job, job_id, {"done", "failed"}, timeout=240)
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert (status, attempts) == ("done", 2), log.read_text()[-3000:]
    pdf = Path(env["VAR_DIR"]) / "evidence" / stored
    assert pdf.read_bytes().startswith(b"%PDF-"), stored
