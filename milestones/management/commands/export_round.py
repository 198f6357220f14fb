"""Write one round's data and evidence files into one zip archive (see milestones/ops/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from milestones.ops.backup import BackupError, export_round


class Command(BaseCommand):
    help = (
        "Export a round (fiscal year B.E.) with its evidence files to one archive signed with "
        "BACKUP_SIGNING_KEY: export_round 2563 FILE.zip [--with-passwords]"
    )

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", type=int, help="the round's fiscal year in B.E., e.g. 2563")
        parser.add_argument("file", help="the archive to write (a .zip)")
        parser.add_argument(
            "--with-passwords",
            action="store_true",
            help="include the users' password hashes (without it, restored users need new passwords)",
        )

    def handle(self, *args, fiscal_year: int, file: str, with_passwords: bool, **options):
        try:
            result = export_round(fiscal_year=fiscal_year, path=file, with_passwords=with_passwords)
        except BackupError as error:
            raise CommandError(str(error)) from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        records = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"wrote {file}: {records} records, {result.files} evidence files ({result.bytes} bytes)")
        )
        for label, count in result.counts.items():
            self.stdout.write(f"  {label}: {count}")
