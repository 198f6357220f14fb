"""Print a score table: `python manage.py export_scores --round 2563 [--indicator N] --format csv|json`.

Without --indicator: the round's table (a column per indicator and each unit's total,
milestones.reporting.round_exports); with it, that indicator's table (levels, scores and the date
each step was accepted, milestones.reporting.exports). The same rows as the downloads.
"""

from django.core.management.base import BaseCommand, CommandError

from milestones.models import Indicator, Round
from milestones.reporting import exports, round_exports


class Command(BaseCommand):
    help = "Print every active unit's results for one round (CSV or JSON): the round's table, or one indicator's."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, help="fiscal year in B.E.")
        parser.add_argument("--indicator", type=int, help="indicator number (default: the whole round)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--bom", action="store_true", help="start the CSV with a byte-order mark (for Excel)")

    def handle(self, *args, **options):
        round_ = Round.objects.filter(fiscal_year=options["round"]).first()
        if round_ is None:
            raise CommandError(f"ไม่พบรอบการประเมินปีงบประมาณ {options['round']}")
        indicators = list(Indicator.objects.filter(round=round_).select_related("round").order_by("number"))
        if options["indicator"] is None:
            rows = round_exports.round_rows(indicators)
            if options["format"] == "json":
                self.stdout.write(round_exports.as_json(indicators, rows))
            else:
                self.stdout.write(round_exports.as_csv(indicators, rows, bom=options["bom"]), ending="")
            return
        indicator = next((i for i in indicators if i.number == options["indicator"]), None)
        if indicator is None:
            raise CommandError(f"ไม่พบตัวชี้วัดที่ {options['indicator']} ในรอบปีงบประมาณ {options['round']}")
        step_numbers, rows = exports.score_rows(indicator)
        if options["format"] == "json":
            self.stdout.write(exports.as_json(step_numbers, rows))
        else:
            self.stdout.write(exports.as_csv(step_numbers, rows, bom=options["bom"]), ending="")
