from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from milestones.services.rubric import RubricError, load_rubric, parse_rubric, read_file


class Command(BaseCommand):
    help = "Load an indicator definition (round, steps, evidence, weights) from a YAML or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"ไม่พบไฟล์ {file}")
        try:
            result = load_rubric(parse_rubric(read_file(file)), source=str(file))
        except RubricError as exc:
            raise CommandError(f"ไฟล์ {file} ไม่ถูกต้อง ไม่ได้นำเข้าข้อมูลใด ๆ: {exc}") from None
        except ProtectedError:
            raise CommandError("ลบขั้นตอนหรือหลักฐานที่มีหน่วยงานใช้งานแล้วไม่ได้ ไม่ได้นำเข้าข้อมูลใด ๆ") from None
        for line in result.created:
            self.stdout.write(f"created {line}")
        for line in result.updated:
            self.stdout.write(f"updated {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{file}: {len(result.created)} created, {len(result.updated)} updated, {result.unchanged} unchanged"
            )
        )
