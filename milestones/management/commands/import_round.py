"""Restore an export_round archive into an empty, migrated database (see milestones/ops/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from milestones.ops.backup import BackupError, import_round


class Command(BaseCommand):
    help = (
        "Restore a round archive made by export_round into an empty database (run migrate first). "
        "The signature (BACKUP_SIGNING_KEY), the member names and every sha256 are verified before "
        "anything is written; a non-empty database is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by export_round")

    def handle(self, *args, file: str, **options):
        try:
            result = import_round(path=file)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(str(error)) from None
        records = sum(result.counts.values())
        self.stdout.write(self.style.SUCCESS(f"restored {records} records and {result.files} evidence files"))
        for label, count in result.counts.items():
            self.stdout.write(f"  {label}: {count}")
