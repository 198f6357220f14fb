"""Compare evidence storage with the database and report every mismatch (non-zero exit if any)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from evidence.storage.integrity import check_evidence


class Command(BaseCommand):
    help = (
        "Compare evidence in storage with the database: rows whose file is missing, files whose size "
        "or sha256 differs from the row, files with no row (orphans). Exits non-zero when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-hash", action="store_true", help="compare sizes only (fast; does not read the files)")
        parser.add_argument(
            "--orphan-grace-minutes",
            type=int,
            default=0,
            help="ignore files without a row that are younger than this (uploads in flight on a live system)",
        )

    def handle(self, *args, no_hash: bool, orphan_grace_minutes: int, **options):
        rows, files, mismatches = check_evidence(
            verify_hash=not no_hash, orphan_grace=dt.timedelta(minutes=orphan_grace_minutes)
        )
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        summary = f"checked {rows} rows and {files} files: {len(mismatches)} mismatches"
        if mismatches:
            counts = {}
            for mismatch in mismatches:
                counts[mismatch.kind] = counts.get(mismatch.kind, 0) + 1
            raise CommandError(f"{summary} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
        self.stdout.write(self.style.SUCCESS(summary))
