"""Print the score table: `python manage.py export_scores --round 2563 --format csv|json`.

The same rows as the dashboard's Excel and CSV downloads (milestones.reporting.exports.score_rows).
"""

from django.core.management.base import BaseCommand, CommandError

from milestones.models import Indicator
from milestones.reporting import exports


class Command(BaseCommand):
    help = "Print every active unit's level, score and weighted score for one round (CSV or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, help="fiscal year in B.E., e.g. 2563")
        parser.add_argument("--indicator", type=int, help="indicator number (default: the round's first)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--bom", action="store_true", help="start the CSV with a byte-order mark (for Excel)")

    def handle(self, *args, **options):
        indicators = Indicator.objects.select_related("round").filter(round__fiscal_year=options["round"])
        if options["indicator"] is not None:
            indicators = indicators.filter(number=options["indicator"])
        indicator = indicators.order_by("number").first()
        if indicator is None:
            raise CommandError(f"ไม่พบตัวชี้วัดของรอบปีงบประมาณ {options['round']}")
        step_numbers, rows = exports.score_rows(indicator)
        if options["format"] == "json":
            self.stdout.write(exports.as_json(step_numbers, rows))
        else:
            self.stdout.write(exports.as_csv(step_numbers, rows, bom=options["bom"]), ending="")
