import uuid

import psycopg2
import pytest

from kpi_tracker.lib.databases import create_database, drop_database

SERVER = "postgres://postgres@127.0.0.1:5432"


def _exists(name: str) -> bool:
    conn = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cur.fetchone() is not None
    finally:
        conn.close()


@pytest.fixture
def database_name():
    try:
        psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432, connect_timeout=2).close()
    except psycopg2.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    name = f"kpi_tooling_{uuid.uuid4().hex[:10]}"
    yield name
    drop_database(f"{SERVER}/{name}")


def test_it_creates_a_database_once_and_recreates_on_request(database_name):
    url = f"{SERVER}/{database_name}"
    assert create_database(url) is True
    assert create_database(url) is False
    assert create_database(url, recreate=True) is True
    assert _exists(database_name)
    drop_database(url)
    assert not _exists(database_name)
