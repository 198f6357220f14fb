"""Delete cached report PDFs older than --days (default 30): every change of data makes new ones."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from kpi_tracker.lib.pdf import cache_prune


class Command(BaseCommand):
    help = "ลบไฟล์ PDF ในแคชรายงานที่เก่ากว่าจำนวนวันที่กำหนด (ค่าเริ่มต้น 30 วัน)"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        if days < 0:
            raise CommandError("--days ต้องไม่ติดลบ")
        removed = cache_prune(older_than=dt.timedelta(days=days))
        self.stdout.write(f"ลบ PDF ในแคช {removed} ไฟล์")
