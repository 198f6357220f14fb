"""One round's data and evidence in one archive, and back.

export_round() writes a zip holding
- manifest.json: format, fiscal year, the schema (latest applied migration per app), record counts,
  whether password hashes are included, and every member's name, size and sha256;
- manifest.sig: HMAC-SHA256 of manifest.json's bytes with BACKUP_SIGNING_KEY (an environment
  variable, docs/deploy.md): whoever restores must hold the same key, so an archive that was
  altered or made by someone else (with other users, a superuser) is refused before anything
  is read from it;
- data.jsonl: the records, one per line in Django's JSON Lines serialisation (primary keys kept;
  users, groups and permissions referred to by natural key), written and read a batch or a line
  at a time, never whole in memory. Users' password hashes are left out (each restored user has
  an unusable password until an administrator sets one) unless with_passwords is asked for;
- evidence/<stored name>: every evidence file of the round, byte for byte (a stored file shared
  by several rows once).

Which records: the round, and every row of the milestones and evidence apps that points at a row
already taken (indicators, steps, requirements, weights, assessments, step progress and content,
submissions, decisions, extensions, reminders, filings, evidence files; new models of these apps
are picked up the same way); the units of the round's assessments (with their parent units); the
audit events of those units; and the users (with their profiles and groups) any of these refer to.

import_round() restores an archive into an empty database (it refuses one that holds users,
units, rounds, audit events or evidence): it checks every sha256 against the manifest before it
changes anything, inserts the rows in one transaction (inserts only, so the append-only audit
trigger is never involved), records a `round.import` audit event in the same transaction, writes
the files under their original stored names, and removes the files it wrote if anything fails.
"""

import hashlib
import hmac
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from milestones.models import AuditAction, AuditEvent, Profile, Round, SupervisingGroup, Unit
from milestones.services.audit import audit_record

FORMAT = "kpi-tracker-round"
VERSION = 2  # 1 had data.json (read whole) and no signature: refused
APPS = ("milestones", "evidence")
CHUNK = 1024 * 1024
BATCH = 500
DATA_MEMBER = "data.jsonl"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
UNUSABLE_PASSWORD = "!"  # django.contrib.auth: a hash starting with "!" never matches any password
SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why."""


@dataclass
class RoundRecords:
    """Primary keys per model, in the order they are written."""

    pks: dict[type[models.Model], set] = field(default_factory=dict)

    def add(self, model, pks: Iterable) -> bool:
        current = self.pks.setdefault(model, set())
        new = set(pks) - current
        current |= new
        return bool(new)

    def querysets(self):
        for model in self.ordered_models():
            pks = sorted(self.pks[model])
            for start in range(0, len(pks), BATCH):
                yield model, model._default_manager.filter(pk__in=pks[start : start + BATCH]).order_by("pk")

    def ordered_models(self) -> list:
        head = [Group, get_user_model(), Unit, SupervisingGroup, Profile, Round]
        tail = [AuditEvent]
        middle = [m for m in self.pks if m not in head and m not in tail]
        return [m for m in head + middle + tail if self.pks.get(m)]

    def counts(self) -> dict[str, int]:
        return {m._meta.label_lower: len(self.pks[m]) for m in self.ordered_models()}


def _foreign_keys(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


def _filter_in(model, attname: str, pks: set) -> set:
    found: set = set()
    pks = sorted(pks)
    for start in range(0, len(pks), BATCH):
        found |= set(
            model._default_manager.filter(**{f"{attname}__in": pks[start : start + BATCH]}).values_list("pk", flat=True)
        )
    return found


def collect_round(round_: Round) -> RoundRecords:
    records = RoundRecords()
    records.add(Round, [round_.pk])
    special = {Round, Unit, Profile, AuditEvent, SupervisingGroup}
    owned_models = [m for app in APPS for m in apps.get_app_config(app).get_models() if m not in special]
    # Rows owned by the round: anything pointing at a row already taken, until nothing changes.
    changed = True
    while changed:
        changed = False
        for model in owned_models:
            for fk in _foreign_keys(model):
                if fk.related_model in records.pks and fk.related_model not in {Unit, get_user_model()}:
                    if records.add(model, _filter_in(model, fk.attname, records.pks[fk.related_model])):
                        changed = True
    # The round's units and their audit events.
    assessment_model = apps.get_model("milestones", "Assessment")
    unit_ids = set(
        assessment_model.objects.filter(pk__in=records.pks.get(assessment_model, set())).values_list(
            "unit_id", flat=True
        )
    )
    records.add(AuditEvent, _filter_in(AuditEvent, "unit_id", unit_ids))
    # Users referred to anywhere, their profiles and groups; units referred to anywhere, with parents.
    user_model = get_user_model()
    user_ids: set = set()
    for model in list(records.pks):
        for fk in _foreign_keys(model):
            if fk.related_model is user_model:
                user_ids |= set(
                    model._default_manager.filter(pk__in=records.pks[model])
                    .exclude(**{f"{fk.attname}__isnull": True})
                    .values_list(fk.attname, flat=True)
                )
            elif fk.related_model is Unit:
                unit_ids |= set(
                    model._default_manager.filter(pk__in=records.pks[model])
                    .exclude(**{f"{fk.attname}__isnull": True})
                    .values_list(fk.attname, flat=True)
                )
    records.add(user_model, user_ids)
    profiles = Profile.objects.filter(user_id__in=user_ids)
    records.add(Profile, profiles.values_list("pk", flat=True))
    unit_ids |= set(profiles.exclude(unit_id=None).values_list("unit_id", flat=True))
    while unit_ids:
        records.add(Unit, unit_ids)
        parents = set(Unit.objects.filter(pk__in=unit_ids).exclude(parent=None).values_list("parent_id", flat=True))
        unit_ids = parents - records.pks[Unit]
    records.add(
        Group, user_model.groups.through.objects.filter(user_id__in=user_ids).values_list("group_id", flat=True)
    )
    # The supervising groups the round's indicators name, and those the profiles taken belong to.
    indicator_model = apps.get_model("milestones", "Indicator")
    group_ids = set(
        indicator_model.objects.filter(pk__in=records.pks.get(indicator_model, set())).values_list(
            "group_id", flat=True
        )
    )
    group_ids |= set(
        Profile.supervising_groups.through.objects.filter(profile_id__in=records.pks.get(Profile, set())).values_list(
            "supervisinggroup_id", flat=True
        )
    )
    records.add(SupervisingGroup, group_ids)
    return records


def _schema() -> dict[str, str]:
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        if app in APPS:
            latest[app] = max(latest.get(app, ""), name)
    return latest


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def serialized_batches(records: RoundRecords, *, with_passwords: bool = False):
    """The records as JSON Lines, one batch of at most BATCH rows at a time (bytes)."""
    user_model = get_user_model()
    for model, queryset in records.querysets():
        objects = list(queryset)
        if model is user_model and not with_passwords:
            for user in objects:
                user.password = UNUSABLE_PASSWORD  # on this copy only, never saved
        yield serializers.serialize("jsonl", objects, use_natural_foreign_keys=True).encode()


def serialize_records(records: RoundRecords, *, with_passwords: bool = False) -> bytes:
    """All of it at once (for tests and small rounds); export_round streams serialized_batches."""
    return b"".join(serialized_batches(records, with_passwords=with_passwords))


def signing_key() -> bytes:
    key = settings.BACKUP_SIGNING_KEY
    if not key:
        raise BackupError("ยังไม่ได้ตั้งค่า BACKUP_SIGNING_KEY (ดู docs/deploy.md): ไม่สามารถลงลายมือชื่อหรือตรวจไฟล์สำรองข้อมูลได้")
    return key.encode()


def sign(manifest: bytes) -> str:
    return hmac.new(signing_key(), manifest, hashlib.sha256).hexdigest()


def evidence_names(records: RoundRecords) -> list[tuple[str, int, str]]:
    evidence_model = apps.get_model("evidence", "EvidenceFile")
    pks = records.pks.get(evidence_model, set())
    rows = evidence_model.objects.filter(pk__in=pks).order_by("pk").values_list("stored_name", "size", "sha256")
    # Rows with the same bytes share one stored file: it goes into the archive once.
    return list({name: (name, size, sha256) for name, size, sha256 in rows}.values())


@dataclass
class ExportResult:
    counts: dict[str, int]
    files: int
    bytes: int
    warnings: list[str]


def export_round(
    *, fiscal_year: int, path, storage: Storage | None = None, with_passwords: bool = False
) -> ExportResult:
    """Write the round's records and evidence to a signed zip at path."""
    storage = storage or storages["default"]
    signing_key()  # refuse before writing anything
    try:
        round_ = Round.objects.get(fiscal_year=fiscal_year)
    except Round.DoesNotExist:
        raise BackupError(f"ไม่พบรอบการประเมินปีงบประมาณ {fiscal_year}") from None
    warnings: list[str] = []
    members = []
    total = 0
    stamp = timezone.now().timetuple()[:6]
    outermost = not connection.in_atomic_block
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        with transaction.atomic():  # one consistent view of the data (a snapshot on PostgreSQL)
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            records = collect_round(round_)
            digest, length = hashlib.sha256(), 0
            info = zipfile.ZipInfo(DATA_MEMBER, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as target:
                for batch in serialized_batches(records, with_passwords=with_passwords):
                    digest.update(batch)
                    length += len(batch)
                    target.write(batch)
            data_entry = {"name": DATA_MEMBER, "size": length, "sha256": digest.hexdigest()}
            files = evidence_names(records)
        for stored_name, size, recorded_sha256 in files:
            if not storage.exists(stored_name):
                warnings.append(f"missing in storage: {stored_name}")
                continue
            digest = hashlib.sha256()
            length = 0
            info = zipfile.ZipInfo(f"evidence/{stored_name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED  # evidence is mostly compressed already
            with storage.open(stored_name, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    length += len(chunk)
                    target.write(chunk)
            sha256 = digest.hexdigest()
            if sha256 != recorded_sha256 or length != size:
                warnings.append(f"differs from its row (see check_evidence): {stored_name}")
            members.append({"name": info.filename, "stored_name": stored_name, "size": length, "sha256": sha256})
            total += length
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "fiscal_year": fiscal_year,
            "exported_at": timezone.now().isoformat(),
            "schema": _schema(),
            "records": records.counts(),
            "passwords": with_passwords,
            "data": data_entry,
            "files": members,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sig", sign(manifest_bytes) + "\n")
    return ExportResult(counts=records.counts(), files=len(members), bytes=total, warnings=warnings)


def _check_member_names(archive: zipfile.ZipFile) -> None:
    """Every member is a plain relative path: a name that climbs out (zip-slip), is absolute or
    uses Windows separators or drives is refused, whatever the manifest says."""
    for name in archive.namelist():
        parts = name.split("/")
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or ":" in name
            or "\x00" in name
            or any(part in {"", ".", ".."} for part in parts)
        ):
            raise BackupError(f"ไฟล์สำรองข้อมูลมีชื่อไฟล์ภายในที่ไม่ปลอดภัย (zip-slip): {name!r}")


def _safe_stored_name(name: str) -> bool:
    parts = name.split("/")
    return len(parts) >= 2 and all(SAFE_PART.match(part) and part not in {".", ".."} for part in parts)


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    """The manifest, once its signature is checked; nothing else in the archive is read before."""
    try:
        info = archive.getinfo("manifest.json")
    except KeyError:
        raise BackupError("ไฟล์นี้ไม่มี manifest.json: ไม่ใช่ไฟล์สำรองข้อมูลของระบบ") from None
    if info.file_size > MANIFEST_MAX_BYTES:
        raise BackupError("manifest.json ใหญ่ผิดปกติ: ไม่ใช่ไฟล์สำรองข้อมูลของระบบ")
    raw = archive.read(info)
    try:
        signature = archive.read("manifest.sig").decode("ascii", "replace").strip()
    except KeyError:
        raise BackupError("ไฟล์สำรองข้อมูลไม่มีลายมือชื่อ (manifest.sig): ไม่นำเข้า") from None
    if not hmac.compare_digest(signature, sign(raw)):
        raise BackupError(
            "ลายมือชื่อของไฟล์สำรองข้อมูลไม่ถูกต้อง: ไฟล์ถูกแก้ไข หรือลงลายมือชื่อด้วยกุญแจอื่น (BACKUP_SIGNING_KEY) จึงไม่นำเข้า"
        )
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupError("manifest.json อ่านไม่ได้") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("รูปแบบไฟล์สำรองข้อมูลไม่ถูกต้องหรือไม่รองรับ")
    for entry in manifest["files"]:
        if not _safe_stored_name(entry["stored_name"]) or entry["name"] != f"evidence/{entry['stored_name']}":
            raise BackupError(f"ไฟล์สำรองข้อมูลมีชื่อไฟล์หลักฐานที่ไม่ปลอดภัย (zip-slip): {entry['stored_name']!r}")
    return manifest


def _stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _member_sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every member matches the manifest's sha256; raises BackupError naming the first that does not."""
    names = set(archive.namelist())
    for entry in [manifest["data"], *manifest["files"]]:
        if entry["name"] not in names:
            raise BackupError(f"ไฟล์สำรองข้อมูลไม่ครบ: ไม่พบ {entry['name']}")
        if _member_sha256(archive, entry["name"]) != entry["sha256"]:
            raise BackupError(f"ไฟล์สำรองข้อมูลเสียหาย: sha256 ของ {entry['name']} ไม่ตรงกับ manifest")


def database_is_empty() -> bool:
    evidence_model = apps.get_model("evidence", "EvidenceFile")
    return not any(m.objects.exists() for m in (get_user_model(), Unit, Round, AuditEvent, evidence_model, Profile))


@dataclass
class ImportResult:
    counts: dict[str, int]
    files: int


def import_round(*, path, storage: Storage | None = None) -> ImportResult:
    storage = storage or storages["default"]
    with zipfile.ZipFile(path) as archive:
        _check_member_names(archive)
        manifest = _read_manifest(archive)
        missing = {app: name for app, name in manifest["schema"].items() if (app, name) not in _applied()}
        if missing:
            raise BackupError(f"ฐานข้อมูลยังไม่ได้ migrate ถึงรุ่นของไฟล์สำรอง: {missing}")
        verify_archive(archive, manifest)
        if not database_is_empty():
            raise BackupError("ฐานข้อมูลปลายทางไม่ว่าง: นำเข้าได้เฉพาะฐานข้อมูลใหม่ที่ migrate แล้วและยังไม่มีข้อมูล")
        for entry in manifest["files"]:
            if storage.exists(entry["stored_name"]):
                if _stored_sha256(storage, entry["stored_name"]) != entry["sha256"]:
                    raise BackupError(f"มีไฟล์ชื่อเดียวกันแต่เนื้อหาต่างกันอยู่แล้วในที่เก็บไฟล์: {entry['stored_name']}")
        written: list[str] = []
        try:
            with transaction.atomic():
                with archive.open(manifest["data"]["name"]) as data:
                    counts = load_records(io.TextIOWrapper(data, encoding="utf-8"))
                # After the restored events (their sequence now continues past them), in the same
                # transaction: a restore is a state change like any other.
                audit_record(
                    action=AuditAction.ROUND_IMPORT,
                    message=str(path),
                    data={"fiscal_year": manifest["fiscal_year"], "records": sum(counts.values())},
                )
                for entry in manifest["files"]:
                    if storage.exists(entry["stored_name"]):
                        continue  # same bytes already there (checked above)
                    with archive.open(entry["name"]) as member:
                        saved = storage.save(entry["stored_name"], File(member, name=entry["stored_name"]))
                    written.append(saved)
                    if saved != entry["stored_name"]:
                        raise BackupError(f"ที่เก็บไฟล์เปลี่ยนชื่อไฟล์ {entry['stored_name']} เป็น {saved}")
        except BaseException:
            for name in written:
                storage.delete(name)
            raise
    return ImportResult(counts=counts, files=len(manifest["files"]))


def _applied() -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())


def load_records(lines) -> dict[str, int]:
    """Insert the records of a JSON Lines stream, one line at a time as it is read."""
    counts: dict[str, int] = {}
    loaded_models = set()
    with connection.constraint_checks_disabled():
        for deserialized in serializers.deserialize("jsonl", lines):
            # force_insert: restoring only ever inserts (the audit log refuses updates).
            deserialized.save(force_insert=True)
            model = type(deserialized.object)
            loaded_models.add(model)
            counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + 1
    connection.check_constraints(table_names=[m._meta.db_table for m in loaded_models])
    sequence_sql = connection.ops.sequence_reset_sql(no_style(), list(loaded_models))
    if sequence_sql:
        with connection.cursor() as cursor:
            for statement in sequence_sql:
                cursor.execute(statement)
    return counts
