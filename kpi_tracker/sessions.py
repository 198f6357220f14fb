"""Database sessions that report an outage as an outage.

Django's database store turns any DatabaseError while updating a session into UpdateError,
which SessionMiddleware answers with a bare "Bad Request (400)" (SessionInterrupted). When
the database has gone away, that hid the outage from the person, who should get the Thai
503 page like every other request at that moment. Connection errors are re-raised as they
are, so handler500 (kpi_tracker.middleware.server_error) answers with the 503 page.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            if isinstance(exc.__context__, OperationalError | InterfaceError):
                raise exc.__context__ from None
            raise
