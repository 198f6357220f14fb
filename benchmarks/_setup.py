"""Shared set-up for benchmarks: a throw-away database, migrated, and Django ready.

With DATABASE_URL pointing at PostgreSQL the benchmark uses (and recreates) the
database `<name>_bench` on that server; otherwise a temporary SQLite file.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(*, debug: bool = True) -> str:
    """Configure a fresh database and call django.setup(). Returns the database vendor."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_tracker.settings")
    os.environ["DEBUG"] = "1" if debug else "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnop")
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="kpi-bench-var-"))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from kpi_tracker.lib.databases import create_database

        bench_url = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1].split("?")[0] + "_bench"
        create_database(bench_url, recreate=True)
        os.environ["DATABASE_URL"] = bench_url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='kpi-bench-db-')}/bench.sqlite3"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def load_rubric_and_units(n_units: int = 500):
    """The real rubric and n_units units (half central, half regional), with assessments."""
    from milestones.models import Indicator, Unit, UnitKind
    from milestones.services import assessments_ensure
    from milestones.services.rubric import load_rubric, parse_rubric, read_file

    Unit.objects.bulk_create(
        [
            Unit(code=f"B-{i:04d}", name=f"หน่วยงานทดสอบ {i}", kind=UnitKind.CENTRAL if i % 2 else UnitKind.REGIONAL)
            for i in range(n_units)
        ]
    )
    from milestones.services.groups import load_groups, parse_groups

    load_groups(parse_groups((ROOT / "data" / "groups" / "groups.csv").read_text(encoding="utf-8")))
    load_rubric(parse_rubric(read_file(ROOT / "data" / "rubrics" / "2563-indicator-2.yaml")))
    indicator = Indicator.objects.get(round__fiscal_year=2563, number=2)
    assessments_ensure(indicator=indicator)
    return indicator


def report(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)
