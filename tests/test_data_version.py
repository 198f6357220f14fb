"""Every service that writes moves the data version; reads move nothing.

The cached department pages (milestones/fragments.py) are keyed on the data version
(milestones.selectors.versions.data_version): the newest state-changing audit event and the
newest admin log entry. A write that leaves no event would leave those pages stale. So, in the
style of the access matrix, every public function of every module under milestones.services and
evidence.services has an entry here:

- WRITES: a function of the World that calls the service; the test checks that the version moved.
- READ_ONLY: calls a service that records only a read-only action (sign-in, sign-out): the test
  checks that the version did not move.
- PART_OF: a write that only ever runs inside the transaction of other entries, which record the
  change; the test checks that it is called from nowhere else in the product's code.
- NO_WRITE: helpers that write nothing (parsing, locking, checks), with the reason.

A new service function without an entry fails test_every_service_function_has_an_entry.
"""

import ast
import datetime as dt
import importlib
import inspect
import pkgutil
from functools import cached_property
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.test import RequestFactory
from django.utils import timezone

from conftest import RUBRIC_FILE
from evidence.tests.factories import fill_step, pdf_bytes, upload
from kpi_tracker.lib.thai import BANGKOK
from milestones.models import AuditAction
from milestones.selectors.versions import data_version
from milestones.tests.factories import progress_of, submit

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
SERVICE_PACKAGES = ("milestones.services", "evidence.services")
NOW = dt.datetime(2020, 8, 1, 10, 0, tzinfo=BANGKOK)


class World:
    """The cast plus objects in the state each service needs, built on demand."""

    def __init__(self, cast):
        self.cast = cast

    def __getattr__(self, name):
        return getattr(self.cast, name)

    @cached_property
    def submitted_a1(self):
        progress, _submission = submit(self.assessment_a, 1, self.staff_a)
        return progress

    @cached_property
    def accepted_a1(self):
        from milestones.services import step_review

        step_review(progress=self.submitted_a1, user=self.reviewer, kind="accepted")
        return self.submitted_a1

    @cached_property
    def filled_a4(self):
        progress = progress_of(self.assessment_a, 4)
        fill_step(progress, self.staff_a)
        return progress

    @cached_property
    def pending_extension(self):
        from milestones.services import extension_request

        return extension_request(assessment=self.assessment_a, user=self.staff_a, reason="น้ำท่วมสำนักงาน")

    @cached_property
    def evidence_a1(self):
        from evidence.services import evidence_add

        return evidence_add(
            progress=progress_of(self.assessment_a, 1), user=self.staff_a, upload=upload("คำสั่ง.pdf", pdf_bytes("a1"))
        )

    @cached_property
    def filing(self):
        from milestones.services.filings import filing_create

        return filing_create(
            assessment=self.assessment_a,
            user=self.staff_a,
            memo_number="กษ 0509/1",
            memo_date=dt.date(2020, 8, 1),
            recipient="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
            signer_name="นายทดสอบ ระบบ",
            signer_position="ผู้อำนวยการกองทดสอบ ก",
        )


def _load_rubric_changed(w: World):
    from milestones.services.rubric import load_rubric, parse_rubric, read_file

    data = parse_rubric(read_file(RUBRIC_FILE))
    data["indicator"]["data_collector_phone"] = "7799"
    load_rubric(data, source="test")


def _load_units(w: World):
    from milestones.services.units import load_units, parse_units

    load_units(parse_units("code,name,kind\nT-C,กองทดสอบ ค,central\n"), source="test")


def _load_groups(w: World):
    from milestones.services.groups import load_groups, parse_groups

    load_groups(parse_groups("code,name\nQA,กลุ่มตรวจสอบภายใน\n"), source="test")


def _record_login(w: World):
    from milestones.services.audit import record_login

    record_login(sender=None, request=RequestFactory().get("/"), user=w.staff_a)


def _record_logout(w: World):
    from milestones.services.audit import record_logout

    record_logout(sender=None, request=RequestFactory().get("/"), user=w.staff_a)


def _digest(w: World):
    from milestones.services.reminders import review_digest_send

    assert review_digest_send(now=timezone.now())


def _reminder(w: World):
    from milestones.services.reminders import reminder_send

    assert reminder_send(assessment=w.assessment_a, now=timezone.now())


def _call(name: str, **kwargs):
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)(**kwargs)


# name -> (prepare, write): prepare builds the state the write needs (it may write and audit: the
# version is read after it), write calls the service.
WRITES = {
    "milestones.services.audit.audit_record": (
        lambda w: None,
        lambda w, _: _call("milestones.services.audit.audit_record", action=AuditAction.STEP_SAVE, user=w.staff_a),
    ),
    "milestones.services.filings.filing_create": (lambda w: None, lambda w, _: w.filing),
    "milestones.services.filings.filing_record": (
        lambda w: w.filing,
        lambda w, filing: _call(
            "milestones.services.filings.filing_record",
            filing=filing,
            user=w.staff_a,
            esaraban_number="E-1",
            esaraban_date=dt.date(2020, 8, 2),
        ),
    ),
    "milestones.services.reminders.reminder_send": (lambda w: None, lambda w, _: _reminder(w)),
    "milestones.services.reminders.review_digest_send": (lambda w: w.submitted_a1, lambda w, _: _digest(w)),
    "milestones.services.review.step_review": (
        lambda w: w.submitted_a1,
        lambda w, progress: _call(
            "milestones.services.review.step_review",
            progress=progress,
            user=w.reviewer,
            kind="returned",
            comment="แนบคำสั่งให้ครบ",
        ),
    ),
    "milestones.services.review.step_reopen": (
        lambda w: w.accepted_a1,
        lambda w, progress: _call(
            "milestones.services.review.step_reopen", progress=progress, user=w.admin, reason="เอกสารผิดฉบับ"
        ),
    ),
    "milestones.services.review.extension_request": (lambda w: None, lambda w, _: w.pending_extension),
    "milestones.services.review.extension_decide": (
        lambda w: w.pending_extension,
        lambda w, extension: _call(
            "milestones.services.review.extension_decide",
            extension=extension,
            user=w.reviewer,
            grant=True,
            new_deadline=dt.date(2020, 10, 1),
        ),
    ),
    "milestones.services.rubric.load_rubric": (lambda w: None, lambda w, _: _load_rubric_changed(w)),
    "milestones.services.units.load_units": (lambda w: None, lambda w, _: _load_units(w)),
    "milestones.services.groups.load_groups": (lambda w: None, lambda w, _: _load_groups(w)),
    "milestones.services.rounds.round_open": (
        lambda w: w.indicator.round,
        lambda w, source: _call(
            "milestones.services.rounds.round_open", fiscal_year=2564, source=source, deadline=dt.date(2021, 9, 15)
        ),
    ),
    "evidence.services.content.step_content_save": (
        lambda w: progress_of(w.assessment_a, 1),
        lambda w, progress: _call(
            "evidence.services.content.step_content_save",
            progress=progress,
            user=w.staff_a,
            content={"summary": "ทบทวนแล้ว"},
        ),
    ),
    "evidence.services.files.evidence_add": (lambda w: None, lambda w, _: w.evidence_a1),
    "evidence.services.files.evidence_remove": (
        lambda w: w.evidence_a1,
        lambda w, evidence: _call("evidence.services.files.evidence_remove", evidence=evidence, user=w.staff_a),
    ),
    "evidence.services.submission.step_submit": (
        lambda w: w.filled_a4,
        lambda w, progress: _call("evidence.services.submission.step_submit", progress=progress, user=w.staff_a),
    ),
}

READ_ONLY = {
    "milestones.services.audit.record_login": _record_login,
    "milestones.services.audit.record_logout": _record_logout,
}

# name -> the modules allowed to call it (each records the change it is part of).
PART_OF = {
    "milestones.services.assessments.assessments_ensure": {
        "milestones.services.assessments",
        "milestones.services.rubric",
        "milestones.services.rounds",
    },
    "milestones.services.assessments.assessments_recalculate": {"milestones.services.assessments", "milestones.admin"},
    "milestones.services.assessments.assessments_ensure_open_rounds": {
        "milestones.services.units",
        "milestones.admin",
    },
    "milestones.services.assessments.assessments_follow_rubric": {"milestones.admin"},
    "milestones.services.steps.step_mark_draft": {"evidence.services.files", "evidence.services.content"},
    "milestones.services.reminders.review_digest_claim": {
        "milestones.services.reminders",
        "milestones.management.commands.send_review_digest",
    },
}

NO_WRITE = {
    "milestones.services.audit.client_ip": "reads the request's address",
    "milestones.services.rubric.read_file": "reads a file",
    "milestones.services.rubric.parse_rubric": "validates a definition, writes nothing",
    "milestones.services.units.parse_units": "validates rows, writes nothing",
    "milestones.services.groups.parse_groups": "validates rows, writes nothing",
    "milestones.services.units.parent_cycle": "follows parents in a mapping",
    "milestones.services.steps.step_lock_for_change": "locks the row and checks the rules; its callers write",
    # A background document's bookkeeping: the data the cached pages show does not change.
    "milestones.services.documents.document_claim": "a document job's state, not data the pages show",
    "milestones.services.documents.document_progress": "a document job's state, not data the pages show",
    "milestones.services.documents.document_beat": "a document job's state, not data the pages show",
    "milestones.services.documents.document_finish": "a document job's state, not data the pages show",
    "milestones.services.documents.document_fail": "a document job's state, not data the pages show",
    "milestones.services.documents.document_requeue": "a document job's state, not data the pages show",
    "milestones.services.documents.documents_stale": "a document job's state, not data the pages show",
    "milestones.services.steps.step_check_change": "checks the rules on a row as read, before an upload's body",
    "evidence.services.files.upload_precheck": "refuses an upload request before its body is read; writes nothing",
    "evidence.services.files.inspect_upload": "reads and checks an uploaded file before any lock; writes nothing",
}


def service_functions() -> set[str]:
    names = set()
    for package_name in SERVICE_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if inspect.isfunction(obj) and obj.__module__ == info.name and not name.startswith("_"):
                    names.add(f"{info.name}.{name}")
    return names


def test_every_service_function_has_an_entry():
    entries = set(WRITES) | set(READ_ONLY) | set(PART_OF) | set(NO_WRITE)
    assert service_functions() - entries == set(), "add the new service to a table in tests/test_data_version.py"
    assert entries - service_functions() == set(), "an entry names a service that is gone"


@pytest.fixture
def world(cast):
    # A test shortcut, not a sign-in: no login events in the setup.
    user_logged_in.disconnect(dispatch_uid="milestones.services.audit.login")
    with time_machine.travel(NOW, tick=False):
        yield World(cast)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_moves_the_data_version(world, name):
    prepare, write = WRITES[name]
    state = prepare(world)
    before = data_version()
    write(world, state)
    assert data_version() != before, f"{name} wrote without an audit event"


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_read_only_actions_leave_the_data_version_as_it_was(world, name):
    before = data_version()
    READ_ONLY[name](world)
    assert data_version() == before


def _product_modules():
    for package in ("kpi_tracker", "milestones", "evidence"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            yield ".".join(relative.with_suffix("").parts).removesuffix(".__init__"), path


@pytest.mark.parametrize("name", sorted(PART_OF))
def test_parts_of_a_recorded_change_are_called_only_from_where_it_is_recorded(name):
    function = name.rpartition(".")[2]
    callers = set()
    for module, path in _product_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                target = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if target == function:
                    callers.add(module)
    assert callers and callers <= PART_OF[name], f"{name} is called from {sorted(callers - PART_OF[name])}"
