"""The background worker: `python manage.py run_worker` (make run starts it beside the web server;
docs/deploy.md runs it as its own service).

django-tasks' database worker (db_worker), plus a watchdog that every few seconds queues again the
document jobs whose worker died mid-job (milestones.reporting.documents.requeue_stale), so a job
is retried, never stuck.
"""

import threading

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from milestones.reporting.documents import requeue_stale


class Command(DatabaseWorker):
    help = "Run the background worker: documents (department summaries, workbooks, backups) and other tasks."

    def handle(self, *args, **options):
        stop = threading.Event()
        watchdog = threading.Thread(target=self.watch, args=(stop,), name="document-watchdog", daemon=True)
        watchdog.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            watchdog.join(timeout=5)

    def watch(self, stop: threading.Event) -> None:
        interval = max(1, settings.DOCUMENT_JOB_STALE_SECONDS // 3)
        try:
            while not stop.is_set():
                requeue_stale()
                stop.wait(interval)
        finally:
            connection.close()  # this thread's own database connection
