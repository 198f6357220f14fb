"""Open the next fiscal year: `python manage.py open_round 2564 --from 2563 --deadline 2021-09-15`."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from milestones.models import Round
from milestones.services.rounds import RoundError, round_open


class Command(BaseCommand):
    help = "Copy a round's indicators, steps, requirements, weights and groups into a new open round."

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", type=int, help="the new round's fiscal year in B.E., e.g. 2564")
        parser.add_argument("--from", dest="source", type=int, required=True, help="the round to copy (B.E.)")
        parser.add_argument("--deadline", required=True, help="the new round's deadline, YYYY-MM-DD (C.E.)")

    def handle(self, *args, fiscal_year: int, source: int, deadline: str, **options):
        try:
            deadline_date = dt.date.fromisoformat(deadline)
        except ValueError:
            raise CommandError(f"--deadline ต้องเป็นวันที่ ค.ศ. รูปแบบ YYYY-MM-DD ไม่ใช่ {deadline!r}") from None
        source_round = Round.objects.filter(fiscal_year=source).first()
        if source_round is None:
            raise CommandError(f"ไม่พบรอบการประเมินปีงบประมาณ {source} ไม่ได้เปลี่ยนแปลงข้อมูลใด ๆ")
        try:
            new_round = round_open(fiscal_year=fiscal_year, source=source_round, deadline=deadline_date)
        except RoundError as error:
            raise CommandError(f"{error} ไม่ได้เปลี่ยนแปลงข้อมูลใด ๆ") from None
        indicators = new_round.indicators.count()
        assessments = sum(i.assessments.count() for i in new_round.indicators.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"opened round {fiscal_year} from {source}: {indicators} indicators, {assessments} assessments"
            )
        )
