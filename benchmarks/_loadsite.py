"""A production-like site for the load and fault benchmarks.

- a PostgreSQL database of our own (always PostgreSQL: with a DATABASE_URL that is not, the
  server on 127.0.0.1:5432 that this machine and CI always have), recreated each run;
- 500 units and the rubric through the real loaders (`load_units`, `load_rubric`), one staff
  account per unit, reviewers and a viewer, every unit granted an extension through the real
  extension service (the round's deadline is past in real time);
- gunicorn with the production settings (DEBUG off, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,
  HTTPS behind a proxy, static files collected into a temporary STATIC_ROOT) on a free
  loopback port.

The driver (benchmarks/loadgen.py) runs in a second process and reads a JSON plan this module writes.
"""

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "load-test-password-2563"
SECRET_KEY = "load-benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def report(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def note(text: str) -> None:
    print(f"# {text}", flush=True)


def load_average() -> str:
    """The machine's 1-minute load average: on a shared 2-core machine the figures depend on it."""
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "unknown"


def env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    return float(raw) if raw else default


def database_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        base = url.rsplit("/", 1)[0]
    else:
        note(f"DATABASE_URL is not PostgreSQL: using {DEFAULT_PG} (always there on this machine)")
        base = DEFAULT_PG
    return f"{base}/{name}"


def recreate_database(url: str) -> None:
    from kpi_tracker.lib.databases import create_database

    create_database(url, recreate=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """The seeded database, the server's environment, and the gunicorn process.

    extra_env overrides the server's environment (S3 storage for a fault run, say)."""

    def __init__(self, name: str, extra_env: dict | None = None):
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"kpi-{name}-"))
        self.db_url = database_url(name)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kpi_tracker.settings",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.base,
            "DATABASE_URL": self.db_url,
            "DB_CONN_MAX_AGE": "60",
            "VAR_DIR": str(self.var_dir),
            "EVIDENCE_STORAGE": "local",
            # A TLS-terminating proxy in front, as in production: the driver sends X-Forwarded-Proto.
            "HTTPS": "1",
            "BEHIND_PROXY": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.server: subprocess.Popen | None = None
        self.server_log = self.var_dir / "gunicorn.log"

    # --- data -------------------------------------------------------------------------------
    def prepare(self, *, n_units: int = 500, n_reviewers: int = 8) -> None:
        """Create and seed the database, collect static files; Django is set up in this process."""
        recreate_database(self.db_url)
        os.environ.update(self.env)
        import django

        django.setup()
        from django.core.management import call_command

        quiet = open(os.devnull, "w")  # noqa: SIM115
        call_command("migrate", verbosity=0, stdout=quiet)
        csv_path = self.var_dir / "units.csv"
        lines = ["code,name,name_en,kind,parent"]
        for i in range(n_units):
            kind = "central" if i % 3 == 0 else "regional"
            lines.append(f"L-{i:04d},หน่วยงานทดสอบภาระ {i},Load unit {i},{kind},")
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        call_command("load_units", str(csv_path), stdout=quiet)
        call_command("load_groups", str(ROOT / "data" / "groups" / "groups.csv"), stdout=quiet)
        call_command("load_rubric", str(ROOT / "data" / "rubrics" / "2563-indicator-2.yaml"), stdout=quiet)
        self._seed_users(n_reviewers=n_reviewers)
        call_command("collectstatic", "--noinput", verbosity=0, stdout=quiet)

    def _seed_users(self, *, n_reviewers: int) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        from milestones.models import Assessment, Profile, Role, SupervisingGroup, Unit
        from milestones.services import extension_decide, extension_request

        User = get_user_model()
        hashed = make_password(PASSWORD)  # Argon2 once: every account shares the hash
        units = list(Unit.objects.order_by("code"))
        staff = [User(username=f"staff-{u.code}", password=hashed, first_name=f"เจ้าหน้าที่ {u.code}") for u in units]
        reviewers = [
            User(username=f"reviewer-{i}", password=hashed, first_name=f"ผู้ตรวจ {i}") for i in range(n_reviewers)
        ]
        viewer = User(username="viewer", password=hashed, first_name="ผู้บริหาร")
        User.objects.bulk_create([*staff, *reviewers, viewer])
        by_name = {u.username: u for u in User.objects.all()}
        Profile.objects.bulk_create(
            [Profile(user=by_name[f"staff-{u.code}"], role=Role.STAFF, unit=u) for u in units]
            + [Profile(user=by_name[r.username], role=Role.REVIEWER) for r in reviewers]
            + [Profile(user=by_name["viewer"], role=Role.VIEWER)]
        )
        group = SupervisingGroup.objects.get(code="PSDG")
        group.members.add(*Profile.objects.filter(role=Role.REVIEWER))
        granter = by_name["reviewer-0"]
        new_deadline = dt.date.today() + dt.timedelta(days=60)
        for assessment in Assessment.objects.select_related("unit", "indicator__round").order_by("unit__code"):
            extension = extension_request(
                assessment=assessment, user=by_name[f"staff-{assessment.unit.code}"], reason="ทดสอบภาระระบบ"
            )
            extension_decide(extension=extension, user=granter, grant=True, new_deadline=new_deadline)

    def plan(self) -> dict:
        """What the driver needs: accounts, their unit pages, and the project's URLs."""
        from django.urls import reverse

        from milestones.models import Assessment

        staff = []
        for a in Assessment.objects.select_related("unit").order_by("unit__code"):
            staff.append(
                {
                    "username": f"staff-{a.unit.code}",
                    "assessment": a.pk,
                    "unit_url": reverse("assessment-detail", args=[a.pk]),
                }
            )
        return {
            "base": self.base,
            "password": PASSWORD,
            "staff": staff,
            "reviewers": [f"reviewer-{i}" for i in range(8)],
            "viewer": "viewer",
            "urls": self.urls(),
        }

    @staticmethod
    def urls() -> dict:
        """URL templates the driver fills in ({pk} an assessment, {number} a step)."""
        from django.urls import reverse

        pk, number = 999_001, 999_002

        def template(name: str, **kwargs) -> str:
            return reverse(name, kwargs=kwargs or None).replace(str(pk), "{pk}").replace(str(number), "{number}")

        return {
            "login": template("login"),
            "healthz": template("healthz"),
            "overview": template("overview"),
            "step": template("step-detail", pk=pk, number=number),
            "step_save": template("step-save", pk=pk, number=number),
            "upload": template("evidence-upload", pk=pk, number=number),
            "submit": template("step-submit", pk=pk, number=number),
            "review_queue": template("review-queue"),
            "unit_report": template("report-unit", pk=pk),
            "summary_pdf": template("report-summary"),
            "scores_csv": template("scores-csv"),
        }

    # --- server -----------------------------------------------------------------------------
    def start(self, *, workers: int = 3, threads: int = 4) -> None:
        """gunicorn as docs/deploy.md runs it (gthread workers, --keep-alive 5), on loopback."""
        cmd = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "kpi_tracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--keep-alive",
            "5",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ]
        log = open(self.server_log, "ab")  # noqa: SIM115
        self.server = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.server_log.read_text()[-2000:]}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz/ within 30 s")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        os.killpg(self.server.pid, signal.SIGTERM)
        try:
            self.server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=5)

    def cleanup(self) -> None:
        """Remove the run's temporary VAR_DIR (evidence, static build, logs, results), unless
        LOAD_KEEP_FILES=1 asks to keep it for a look afterwards."""
        if os.environ.get("LOAD_KEEP_FILES") == "1":
            note(f"kept {self.var_dir}")
            return
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def server_errors(self) -> list[str]:
        """Tracebacks and worker failures gunicorn logged (its log holds WARNING and above)."""
        if not self.server_log.exists():
            return []
        return [
            line
            for line in self.server_log.read_text(errors="replace").splitlines()
            if "Traceback" in line or "[ERROR]" in line or "[CRITICAL]" in line
        ]

    # --- driver -----------------------------------------------------------------------------
    def start_driver(self, plan: dict) -> subprocess.Popen:
        """Start benchmarks/loadgen.py in its own process; read_results() once it has exited."""
        plan_path = self.var_dir / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        return subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "loadgen.py"),
                str(plan_path),
                str(self.var_dir / "results.json"),
            ]
        )

    def read_results(self) -> dict:
        return json.loads((self.var_dir / "results.json").read_text(encoding="utf-8"))

    def drive(self, plan: dict, *, timeout_s: float) -> dict:
        """Run benchmarks/loadgen.py in its own process with the plan; return its results."""
        plan_path = self.var_dir / "plan.json"
        out_path = self.var_dir / "results.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "loadgen.py"), str(plan_path), str(out_path)],
            check=True,
            timeout=timeout_s,
        )
        return json.loads(out_path.read_text(encoding="utf-8"))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarise(results: dict) -> dict:
    """Figures over the measured window (after the ramp-up); errors count over the whole run."""
    start, end = results["measured_from"], results["load_end"]
    load = [r for r in results["records"] if r[1] != "ceiling"]
    window = [r for r in load if start <= r[0] <= end]
    pages = [r[4] for r in window if r[1] == "page" and r[5]]
    figures = {
        "rps": len(window) / max(0.001, end - start),
        "requests": len(load),
        "errors": sum(1 for r in load if not r[5]),
        "pages": len(pages),
        "p50": percentile(pages, 50) if pages else float("nan"),
        "p95": percentile(pages, 95) if pages else float("nan"),
        "p99": percentile(pages, 99) if pages else float("nan"),
        "by_kind": {},
    }
    for kind in sorted({r[1] for r in window}):
        times = [r[4] for r in window if r[1] == kind and r[5]]
        figures["by_kind"][kind] = (
            len([r for r in window if r[1] == kind]),
            percentile(times, 95) if times else float("nan"),
        )
    ceiling = [r for r in results["records"] if r[1] == "ceiling"]
    if ceiling:
        span = max(r[0] for r in ceiling) - min(r[0] for r in ceiling)
        figures["ceiling_rps"] = sum(1 for r in ceiling if r[5]) / max(0.001, span)
    return figures


def slowest_names(results: dict, limit: int = 8) -> list[str]:
    """p95 per request name over the measured window, slowest first."""
    start, end = results["measured_from"], results["load_end"]
    names: dict[str, list[float]] = {}
    for r in results["records"]:
        if r[1] != "ceiling" and start <= r[0] <= end and r[5]:
            names.setdefault(f"{r[1]}/{r[2]}", []).append(r[4])
    rows = sorted(((percentile(v, 95), k, len(v)) for k, v in names.items()), reverse=True)
    return [f"{k}: n={n} p95={p:.0f}ms" for p, k, n in rows[:limit]]


def error_samples(results: dict, limit: int = 10) -> list[str]:
    return [f"{r[1]} {r[2]} -> {r[3]}" for r in results["records"] if not r[5]][:limit]


class PostgresCluster:
    """The Debian PostgreSQL cluster serving the benchmark's database (found by its port)."""

    def __init__(self, db_url: str):
        import dj_database_url

        cfg = dj_database_url.parse(db_url)
        self.cfg = cfg
        port = str(cfg["PORT"] or 5432)
        lines = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
        clusters = [line.split() for line in lines.splitlines() if line.split()[2:3] == [port]]
        if not clusters:
            raise RuntimeError(f"no local PostgreSQL cluster on port {port} (pg_lsclusters: {lines!r})")
        self.version, self.name = clusters[0][0], clusters[0][1]

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action, *extra],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def accepts_connections(self) -> bool:
        import psycopg2

        try:
            conn = psycopg2.connect(
                dbname="postgres",
                user=self.cfg["USER"],
                password=self.cfg["PASSWORD"] or None,
                host=self.cfg["HOST"],
                port=self.cfg["PORT"] or 5432,
                connect_timeout=2,
            )
        except psycopg2.OperationalError:
            return False
        conn.close()
        return True

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        self._ctl("start")

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.accepts_connections():
                return
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL did not accept connections within {timeout_s:.0f}s")

    def ensure_running(self) -> None:
        """Whatever happened, leave PostgreSQL running."""
        if not self.accepts_connections():
            try:
                self.start()
            except subprocess.CalledProcessError:
                pass  # already starting or running: wait_ready decides
            self.wait_ready()


def lost_uploads(uploads: list[dict]) -> list[str]:
    """Uploads the server acknowledged that are not in the database, or whose stored bytes differ."""
    import hashlib

    from django.core.files.storage import storages

    from evidence.models import EvidenceFile

    storage = storages["default"]
    lost = []
    for upload in uploads:
        row = EvidenceFile.objects.filter(
            progress__assessment_id=upload["assessment"], original_name=upload["name"], sha256=upload["sha256"]
        ).first()
        if row is None:
            lost.append(f"{upload['name']}: no row")
            continue
        digest = hashlib.sha256()
        try:
            with storage.open(row.stored_name, "rb") as f:
                for chunk in iter(lambda: f.read(65536), b""):
                    digest.update(chunk)
        except OSError:
            lost.append(f"{upload['name']}: file {row.stored_name} missing")
            continue
        if digest.hexdigest() != upload["sha256"]:
            lost.append(f"{upload['name']}: stored bytes differ")
    return lost


def manage(site: "Site", *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """A management command against the site's database and storage."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=site.env, capture_output=True, text=True, timeout=timeout
    )


def check_evidence_mismatches(site: "Site") -> tuple[str, dict[str, int], list[str]]:
    """`manage.py check_evidence`: ("ok" or "mismatch", counts by kind, the first lines it printed)."""
    check = manage(site, "check_evidence")
    lines = (check.stdout + check.stderr).splitlines()
    kinds = {"missing": 0, "size": 0, "sha256": 0, "orphan": 0}
    for line in lines:
        kind = line.strip().split(":", 1)[0]
        if kind in kinds:
            kinds[kind] += 1
    return ("ok" if check.returncode == 0 else "mismatch"), kinds, lines[:10]


def storage_mismatches(var_dir: Path) -> tuple[list[str], list[str]]:
    """(evidence files with no row, rows whose file is missing), counted independently of check_evidence.

    Evidence lives in year folders (<yyyy>/<uuid>.<ext>); the PDF cache and the upload spool
    beside them in the same storage are not evidence.
    """
    from evidence.models import EvidenceFile

    root = var_dir / "evidence"
    on_disk = {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and re.fullmatch(r"\d{4}", path.relative_to(root).parts[0])
    }
    rows = set(EvidenceFile.objects.values_list("stored_name", flat=True))
    return sorted(on_disk - rows), sorted(rows - on_disk)
