"""Creating PostgreSQL databases for CI, benchmarks and multi-process tests.

The application itself never creates databases; these helpers serve the tooling around it,
connecting to the server's `postgres` maintenance database with the credentials of a URL.
"""

import dj_database_url


def _admin_connection(url: str):
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run inside a transaction
    return conn, cfg["NAME"]


def create_database(url: str, *, recreate: bool = False) -> bool:
    """Create the database named in a PostgreSQL URL; with recreate, drop it first (closing its
    connections). Returns whether a database was created."""
    from psycopg2 import sql

    conn, name = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            if recreate:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            else:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cur.fetchone() is not None:
                    return False
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()


def drop_database(url: str) -> None:
    """Drop the database named in a PostgreSQL URL if it exists, closing its connections."""
    from psycopg2 import sql

    conn, name = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()
