"""The version of the data: what every recorded state change moves (the cached pages' key)."""

from django.contrib.admin.models import LogEntry
from django.db import connection

from milestones.models import READ_ONLY_ACTIONS, AuditEvent

# How far back in the id sequences a late commit is looked for (see data_version()).
VERSION_WINDOW = 1000


def data_version() -> tuple[int | None, int, int | None, int]:
    """What every state change moves, in one query: the newest state-changing AuditEvent
    (logins, downloads and exports change nothing: models.READ_ONLY_ACTIONS) and the newest admin
    LogEntry, each with the count of its rows among the VERSION_WINDOW ids before the newest.

    Ids are handed out when a row is inserted but transactions commit in their own order, so an
    event can become visible after one with a higher id: the newest id then stays the same, the
    count moves (as long as fewer than VERSION_WINDOW ids were handed out between that event's
    insert and its commit, a few milliseconds).

    Query cost: four scalar subqueries, each a backward scan of an index (the partial index
    auditevent_change_idx, django_admin_log's primary key) over at most VERSION_WINDOW entries,
    whatever the size of the logs; about 0.5 ms on PostgreSQL. The SQL is written out because
    building the same subqueries through the ORM took 2 ms of Python per request in the
    dashboard benchmark, as much as the whole login page.
    """
    quote = connection.ops.quote_name
    audit, log, pk, action = (quote(n) for n in (AuditEvent._meta.db_table, LogEntry._meta.db_table, "id", "action"))
    change = f"NOT ({action} IN ({', '.join(['%s'] * len(READ_ONLY_ACTIONS))}))"  # auditevent_change_idx's condition
    latest_change = f"SELECT MAX({pk}) FROM {audit} WHERE {change}"
    latest_log = f"SELECT MAX({pk}) FROM {log}"
    sql = (
        f"SELECT ({latest_change}),"
        f" (SELECT COUNT(*) FROM {audit} WHERE {change} AND {pk} > ({latest_change}) - %s),"
        f" ({latest_log}),"
        f" (SELECT COUNT(*) FROM {log} WHERE {pk} > ({latest_log}) - %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*READ_ONLY_ACTIONS, *READ_ONLY_ACTIONS, *READ_ONLY_ACTIONS, VERSION_WINDOW, VERSION_WINDOW]
        )
        return tuple(cursor.fetchone())
