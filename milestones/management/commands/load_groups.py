from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from milestones.services.groups import GroupsError, load_groups, parse_groups


class Command(BaseCommand):
    help = "Load the supervising groups from a CSV file (code, name, phone, is_sample). All rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"ไม่พบไฟล์ {file}")
        try:
            result = load_groups(parse_groups(file.read_text(encoding="utf-8")), source=str(file))
        except UnicodeDecodeError:
            raise CommandError(f"ไฟล์ {file} ต้องเข้ารหัส UTF-8") from None
        except GroupsError as exc:
            raise CommandError("ไม่ได้นำเข้าผู้กำกับตัวชี้วัดใด ๆ:\n" + "\n".join(exc.errors)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged")
        )
