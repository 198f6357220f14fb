from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from milestones.services.units import UnitsError, load_units, parse_units


class Command(BaseCommand):
    help = "Load units from a CSV file (code, name, name_en, kind, parent, is_active). All rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--sample", action="store_true", help="Mark the units as sample data.")

    def handle(self, *args, file: Path, sample: bool, **options):
        if not file.is_file():
            raise CommandError(f"ไม่พบไฟล์ {file}")
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError(f"ไฟล์ {file} ต้องเข้ารหัส UTF-8") from None
        try:
            result = load_units(parse_units(text), sample=sample, source=str(file))
        except UnitsError as exc:
            raise CommandError("ไม่ได้นำเข้าหน่วยงานใด ๆ:\n" + "\n".join(exc.errors)) from None
        for line in result.changes:
            self.stdout.write(f"updated {line}")
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged")
        )
