"""Documents built off the request path (milestones/reporting/documents.py): the page asks, the
worker (`run_worker`, here its batch mode in this process; tests/test_document_worker.py runs the
real process and kills it) builds, the page follows the job and offers the file."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from milestones.models import AuditEvent, DocumentJob, DocumentStatus
from milestones.reporting import documents
from milestones.tests.factories import accept_steps
from milestones.tests.report_helpers import pdf_text, run_queued_tasks, use_own_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


def work() -> None:
    """What `manage.py run_worker` does, once over the queue (report_helpers.run_queued_tasks)."""
    assert run_queued_tasks() >= 1


def status(client, job_id: int) -> dict:
    response = client.get(reverse("document-status", args=[job_id]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.json()


def test_the_summary_is_built_by_the_worker_and_offered_when_ready(cast, login, before_deadline):
    accept_steps(cast.assessment_b, 5, cast.staff_b, cast.reviewer)
    client = login(cast.reviewer)
    response = client.get(reverse("report-summary"), {"indicator": cast.indicator.pk})
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("document", args=[job.pk])
    page = client.get(response["Location"]).text
    assert "data-job-progress" in page and "รอคิว" in page
    assert status(client, job.pk)["status"] == "queued"

    work()

    ready = status(client, job.pk)
    assert ready["status"] == "done" and ready["progress"] == 100
    download = client.get(ready["download"])
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content))
    assert cast.unit_b.name in text and "0.5000" in text
    assert AuditEvent.objects.filter(action="report.export", user=cast.reviewer).exists()


def test_two_requests_for_the_same_unchanged_document_share_one_job(cast, login, before_deadline):
    viewer, reviewer = login(cast.viewer), None
    first = viewer.get(reverse("report-summary"), {"indicator": cast.indicator.pk})["Location"]
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(cast.reviewer)
    second = reviewer.get(reverse("report-summary"), {"indicator": cast.indicator.pk})["Location"]
    assert first == second and DocumentJob.objects.count() == 1
    work()
    assert run_queued_tasks() == 0  # one job, built once
    accept_steps(cast.assessment_a, 1, cast.staff_a, cast.reviewer)  # the data changed: a new document
    third = reviewer.get(reverse("report-summary"), {"indicator": cast.indicator.pk})["Location"]
    assert third != first and DocumentJob.objects.count() == 2
    thai = reviewer.get(reverse("report-summary"), {"indicator": cast.indicator.pk, "digits": "thai"})["Location"]
    assert thai != third  # Thai digits are another document


def test_a_failed_build_says_so_in_thai_and_a_new_request_tries_again(cast, login, before_deadline, monkeypatch):
    client = login(cast.viewer)
    client.get(reverse("report-summary"), {"indicator": cast.indicator.pk})
    job = DocumentJob.objects.get()

    def broken(params, progress):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setitem(
        documents.KINDS,
        "indicator-summary",
        documents.DocumentKind("indicator-summary", broken, documents._sees_indicator),
    )
    work()
    failed = status(client, job.pk)
    assert failed["status"] == "failed" and "จัดทำเอกสารไม่สำเร็จ" in failed["error"]
    assert "จัดทำเอกสารไม่สำเร็จ" in client.get(reverse("document", args=[job.pk])).text
    monkeypatch.undo()

    client.get(reverse("report-summary"), {"indicator": cast.indicator.pk})  # asked again: queued again
    assert DocumentJob.objects.get(pk=job.pk).status == DocumentStatus.QUEUED
    work()
    assert status(client, job.pk)["status"] == "done"


def test_a_job_whose_worker_stopped_beating_is_queued_again_then_fails_after_its_attempts(
    cast, settings, before_deadline
):
    settings.DOCUMENT_JOB_STALE_SECONDS = 60
    settings.DOCUMENT_JOB_ATTEMPTS = 2
    job = documents.request_document(
        kind="indicator-summary", params={"indicator": cast.indicator.pk}, user=cast.viewer
    )
    from milestones.services.documents import document_claim

    assert document_claim(job_id=job.pk)  # a worker took it, then died
    DocumentJob.objects.filter(pk=job.pk).update(heartbeat_at=dt.datetime(2020, 7, 31, tzinfo=dt.UTC))
    assert documents.requeue_stale() == 1
    assert DocumentJob.objects.get(pk=job.pk).status == DocumentStatus.QUEUED
    assert document_claim(job_id=job.pk)  # second attempt, died again
    DocumentJob.objects.filter(pk=job.pk).update(heartbeat_at=dt.datetime(2020, 7, 31, tzinfo=dt.UTC))
    assert documents.requeue_stale() == 0
    failed = DocumentJob.objects.get(pk=job.pk)
    assert failed.status == DocumentStatus.FAILED and "จัดทำเอกสารไม่สำเร็จ" in failed.error


def test_only_those_who_may_see_the_summary_follow_and_fetch_it(cast, login, before_deadline):
    login(cast.viewer).get(reverse("report-summary"), {"indicator": cast.indicator.pk})
    job = DocumentJob.objects.get()
    work()
    for who, expected in [("reviewer", 200), ("admin", 200), ("reviewer_other", 404), ("staff_a", 404)]:
        client = login(getattr(cast, who))
        assert client.get(reverse("document", args=[job.pk])).status_code == expected, who
        assert client.get(reverse("document-download", args=[job.pk])).status_code == expected, who
    assert login(cast.staff_a).get(reverse("report-summary"), {"indicator": cast.indicator.pk}).status_code == 403
    assert (
        login(cast.reviewer_other).get(reverse("report-summary"), {"indicator": cast.indicator.pk}).status_code == 404
    )


def test_the_rounds_workbook_is_built_by_the_worker(cast, login, before_deadline):
    accept_steps(cast.assessment_a, 3, cast.staff_a, cast.reviewer)
    client = login(cast.viewer)
    response = client.get(reverse("scores-xlsx"), {"round": 2563})
    assert response.status_code == 302
    work()
    job = DocumentJob.objects.get(kind="round-workbook")
    download = client.get(reverse("document-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [c.value for c in sheet[3]][:5] == ["T-A", "กองทดสอบ ก", "ส่วนกลาง", 0.15, 0.15]


def test_an_admin_backs_up_a_round_from_the_admin_through_the_worker(cast, login, settings, before_deadline):
    from milestones.models import Round

    client = login(cast.admin)
    url = reverse("admin:milestones_round_changelist")
    round_ = Round.objects.get(fiscal_year=2563)
    settings.BACKUP_SIGNING_KEY = ""
    refused = client.post(url, {"action": "backup_round", "_selected_action": [round_.pk]}, follow=True)
    assert "BACKUP_SIGNING_KEY" in refused.text and not DocumentJob.objects.exists()
    settings.BACKUP_SIGNING_KEY = "a key for the tests, long enough to sign"
    response = client.post(url, {"action": "backup_round", "_selected_action": [round_.pk]})
    job = DocumentJob.objects.get(kind="round-backup")
    assert response["Location"] == reverse("document", args=[job.pk])
    work()
    download = client.get(reverse("document-download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert login(cast.viewer).get(reverse("document", args=[job.pk])).status_code == 404
