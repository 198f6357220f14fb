"""Report figures: the unit score report and the 500-unit department summary.

Prints
- unit_report_s: median wall-clock seconds of our export of a realistic unit report (level 5,
  five accepted steps with comments, 24 evidence files), cache off, data gathering included
  (target <= 0.5); unit_report_cpu_s: the same in CPU seconds of this process;
- unit_report_ratio: our export over WeasyPrint alone rendering the same HTML (plain
  HTML(string).write_pdf(), no fetcher, no finisher): the two run in turn, and the figure is
  the median over the pairs of (our CPU seconds / WeasyPrint's CPU seconds) (target <= 1.2).
  CPU time and pairs, because the machine is shared: a neighbour's burst lands on one side
  of a wall-clock ratio at random;
- summary_500_s / summary_500_cpu_s: the department summary with 500 units, cache off (<= 5);
- summary_500_peak_mb: growth of the process's peak RSS while rendering that summary the
  first time, measured before anything else is rendered (<= 400);
- summary_500_ratio: summary against WeasyPrint alone on the same HTML, as above (<= 1.2);
- unit_report_cached_s: a repeated export, served from the content-hash cache.
"""

import datetime as dt
import gc
import resource
import statistics
import time

from _setup import load_rubric_and_units, report, setup_django

setup_django()

import weasyprint  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

from evidence.models import EvidenceFile  # noqa: E402
from kpi_tracker.lib import pdf as pdf_lib  # noqa: E402
from milestones.models import (  # noqa: E402
    Assessment,
    Decision,
    DecisionKind,
    Profile,
    Role,
    StepProgress,
    StepStatus,
    Submission,
)
from milestones.reporting import reports  # noqa: E402
from milestones.services import assessments_recalculate  # noqa: E402

UNIT_RUNS = 10
SUMMARY_RUNS = 6
ACCEPTED_AT = dt.datetime(2020, 8, 20, 3, 0, tzinfo=dt.UTC)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def weasyprint_alone(html: str) -> bytes:
    return weasyprint.HTML(string=html, base_url=pdf_lib.static_base_url()).write_pdf()


def spread_levels(indicator) -> None:
    """Unit i has steps 1..(i mod 6) accepted, so every level has units."""
    by_assessment: dict[int, list[StepProgress]] = {}
    for p in StepProgress.objects.filter(assessment__indicator=indicator).select_related("step"):
        by_assessment.setdefault(p.assessment_id, []).append(p)
    changed = []
    for i, rows in enumerate(by_assessment.values()):
        for p in rows:
            if p.step.number <= i % 6:
                p.status, p.accepted_at = StepStatus.ACCEPTED, ACCEPTED_AT
                changed.append(p)
    StepProgress.objects.bulk_update(changed, ["status", "accepted_at"], batch_size=1000)
    assessments_recalculate(indicator=indicator)


def realistic_unit(indicator) -> Assessment:
    """A regional unit at level 5 with submissions, decisions (one return first) and 24 evidence files."""
    user_model = get_user_model()
    staff = user_model.objects.create_user("bench-staff", first_name="สมศรี", last_name="ทำงานดี")
    reviewer = user_model.objects.create_user("bench-reviewer", first_name="สมชาย", last_name="ตรวจละเอียด")
    assessment = Assessment.objects.filter(indicator=indicator, unit__kind="regional").select_related("unit").first()
    Profile.objects.create(user=staff, role=Role.STAFF, unit=assessment.unit)
    Profile.objects.create(user=reviewer, role=Role.REVIEWER)
    requirements = {r.number: r for r in indicator.requirements.all()}
    for p in assessment.steps.select_related("step").order_by("step__number"):
        first = Submission.objects.create(progress=p, number=1, submitted_by=staff, submitted_at=ACCEPTED_AT)
        Decision.objects.create(
            progress=p,
            submission=first,
            kind=DecisionKind.RETURNED,
            comment="กรุณาแนบหลักฐานให้ครบถ้วน ระบุวันที่ประชุม และผู้เข้าร่วม",
            decided_by=reviewer,
            decided_at=ACCEPTED_AT,
        )
        second = Submission.objects.create(progress=p, number=2, submitted_by=staff, submitted_at=ACCEPTED_AT)
        Decision.objects.create(
            progress=p,
            submission=second,
            kind=DecisionKind.ACCEPTED,
            comment="ผ่าน หลักฐานครบถ้วน",
            decided_by=reviewer,
            decided_at=ACCEPTED_AT,
        )
        p.status, p.accepted_at = StepStatus.ACCEPTED, ACCEPTED_AT
        p.save()
        n = p.step.number
        EvidenceFile.objects.bulk_create(
            [
                EvidenceFile(
                    progress=p,
                    requirement=requirements.get(n),
                    stored_name=f"bench/{assessment.pk}-{n}-{k}",
                    original_name=f"หลักฐานขั้นตอนที่ {n} ชิ้นที่ {k} การประชุมผ่านระบบ Zoom.pdf",
                    size=250_000,
                    content_type="application/pdf",
                    sha256=f"{n:02d}{k:02d}" * 16,
                    evidence_date=dt.date(2020, 7, n + k),
                    uploaded_by=staff,
                )
                for k in range(1, 6 if n == 3 else 5)
            ]
        )
    assessments_recalculate(indicator=indicator, assessments=[assessment])
    assessment.refresh_from_db()
    return assessment


def timed(fn) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process) for one call, starting from a collected heap."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(name: str, ours_fn, alone_fn, runs: int) -> None:
    """Run our export and WeasyPrint alone in turn; print medians and the CPU ratio."""
    ours, alone = [], []
    for i in range(runs):
        # Alternate which goes first: the first of a pair measurably pays for growing the heap.
        if i % 2:
            alone.append(timed(alone_fn))
            ours.append(timed(ours_fn))
        else:
            ours.append(timed(ours_fn))
            alone.append(timed(alone_fn))
    report(f"{name}_s", f"{statistics.median(w for w, _ in ours):.3f}")
    report(f"{name}_cpu_s", f"{statistics.median(c for _, c in ours):.3f}")
    report(f"{name}_alone_cpu_s", f"{statistics.median(c for _, c in alone):.3f}")
    # The median of the pairs' ratios: a neighbour's burst slows both halves of a pair alike.
    ratios = [o / a for (_, o), (_, a) in zip(ours, alone, strict=True)]
    report(f"{name}_ratio", f"{statistics.median(ratios):.2f}")


indicator = load_rubric_and_units(500)
spread_levels(indicator)
unit = realistic_unit(indicator)

# Summary first, so the peak RSS growth is the summary's own.
summary_template = "reports/department_summary.html"
before = peak_rss_mb()
pdf_lib.render_pdf(summary_template, reports.department_summary(indicator), cache=False)
report("summary_500_peak_mb", f"{peak_rss_mb() - before:.1f}")

summary_html = pdf_lib.render_html(summary_template, reports.department_summary(indicator))
weasyprint_alone(summary_html)  # warm both paths alike
compare(
    "summary_500",
    lambda: pdf_lib.render_pdf(summary_template, reports.department_summary(indicator), cache=False),
    lambda: weasyprint_alone(summary_html),
    SUMMARY_RUNS,
)

unit_template = "reports/unit_score.html"
unit_html = pdf_lib.render_html(unit_template, reports.unit_report(unit))
weasyprint_alone(unit_html)
compare(
    "unit_report",
    lambda: pdf_lib.render_pdf(unit_template, reports.unit_report(unit), cache=False),
    lambda: weasyprint_alone(unit_html),
    UNIT_RUNS,
)

# For reference: a repeated export served from the content-hash cache.
pdf_lib.render_pdf(unit_template, reports.unit_report(unit))
cached = [timed(lambda: pdf_lib.render_pdf(unit_template, reports.unit_report(unit)))[0] for _ in range(5)]
report("unit_report_cached_s", f"{statistics.median(cached):.3f}")
