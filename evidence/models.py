"""Evidence attached to a unit's step: files, and the structured content each step form asks for.

A file is stored under a generated name; the original name, size, content
type and sha256 are kept. Nothing is deleted or overwritten: removing a file
from a draft sets removed_at, and replacing one points the new row at the old.

Which content a step takes comes from Step.form_kind (rubric data):
- review: StepSummary (one text) plus files;
- processes: WorkProcess rows, at least one chosen for digitisation;
- work_items: WorkItem rows, each with its own evidence files;
- plan: PlanRow rows for the next fiscal year;
- feedback: Feedback, one per topic (the processes, the staff's readiness).
Content rows change only while the step is editable; what was sent is kept in
each Submission's snapshot.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models import EvidenceRequirement, StepProgress


class WorkItemKind(models.TextChoices):
    E_MEETING = "e_meeting", _("ประชุมด้วยระบบประชุมอิเล็กทรอนิกส์ (e-Meeting)")
    DIGITAL = "digital", _("นำเทคโนโลยีดิจิทัลมาใช้ในรูปแบบอื่น")
    RESEARCH = "research", _("ค้นคว้าข้อมูลใน internet มาใช้ในการปฏิบัติงาน")


class Platform(models.TextChoices):
    ZOOM = "zoom", "Zoom"
    LINE = "line", "LINE"
    TEAMS = "teams", "Microsoft Teams"
    MEET = "meet", "Google Meet"
    WEBEX = "webex", "Webex"
    OTHER = "other", _("อื่น ๆ")


class Participants(models.TextChoices):
    STAFF = "staff", _("บุคลากรในหน่วยงาน")
    FARMERS = "farmers", _("เกษตรกร")


class FeedbackTopic(models.TextChoices):
    PROCESSES = "processes", _("ต่อกระบวนการงาน")
    STAFF = "staff", _("ต่อความพร้อมของบุคลากรในสังกัด")


class StepSummary(models.Model):
    """Step form "review": a short summary of the process review (the files are the directive and report)."""

    progress = models.OneToOneField(StepProgress, models.CASCADE, related_name="summary")
    text = models.TextField(_("สรุปผลการทบทวนกระบวนการงาน"), blank=True)
    updated_at = models.DateTimeField(_("บันทึกเมื่อ"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("สรุปผลการทบทวน")
        verbose_name_plural = _("สรุปผลการทบทวน")

    def __str__(self) -> str:
        return self.text[:60]


class WorkProcess(models.Model):
    """Step form "processes": one of the unit's work processes and what digital technology could do for it."""

    progress = models.ForeignKey(StepProgress, models.CASCADE, related_name="processes")
    position = models.PositiveSmallIntegerField(_("ลำดับ"), default=0)
    name = models.CharField(_("ชื่อกระบวนการงาน"), max_length=255)
    digital_use = models.TextField(_("เทคโนโลยีดิจิทัลที่นำมาใช้ได้"))
    is_chosen = models.BooleanField(_("เลือกนำเทคโนโลยีดิจิทัลมาใช้"), default=False)

    class Meta:
        verbose_name = _("กระบวนการงาน")
        verbose_name_plural = _("กระบวนการงาน")
        ordering = ["progress", "position", "id"]

    def __str__(self) -> str:
        return self.name


class WorkItemQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class WorkItem(models.Model):
    """Step form "work_items": one e-meeting, other digital use or internet research, with its own files.

    Removing an item from a draft sets removed_at (its files are removed with it);
    earlier submissions keep pointing at it.
    """

    progress = models.ForeignKey(StepProgress, models.CASCADE, related_name="work_items")
    date = models.DateField(_("วันที่ดำเนินการ"))
    kind = models.CharField(_("รูปแบบ"), max_length=12, choices=WorkItemKind.choices)
    platform = models.CharField(_("ช่องทาง/แพลตฟอร์ม"), max_length=10, choices=Platform.choices)
    platform_other = models.CharField(_("ระบุช่องทางอื่น"), max_length=100, blank=True)
    topic = models.CharField(_("เรื่อง"), max_length=255)
    participants = models.CharField(_("ผู้เข้าร่วม"), max_length=10, choices=Participants.choices)
    participant_count = models.PositiveIntegerField(_("จำนวนผู้เข้าร่วม (คน)"), validators=[MinValueValidator(1)])
    link = models.URLField(_("ลิงก์ (ถ้ามี)"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("ชิ้นงาน")
        verbose_name_plural = _("ชิ้นงาน")
        ordering = ["progress", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(participant_count__gte=1), name="work_item_has_participants"),
            models.CheckConstraint(condition=Q(kind__in=WorkItemKind.values), name="work_item_kind_valid"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="work_item_platform_valid"),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def platform_label(self) -> str:
        if self.platform == Platform.OTHER and self.platform_other:
            return self.platform_other
        return str(self.get_platform_display())


class PlanRow(models.Model):
    """Step form "plan": one row of the improvement plan for the next fiscal year.

    months holds month numbers 1-12 of that fiscal year (October of the year before to September).
    """

    progress = models.ForeignKey(StepProgress, models.CASCADE, related_name="plan_rows")
    position = models.PositiveSmallIntegerField(_("ลำดับ"), default=0)
    process = models.CharField(_("กระบวนการงาน"), max_length=255)
    digital_system = models.CharField(_("ระบบเทคโนโลยีดิจิทัลที่จะนำมาใช้"), max_length=255)
    activity = models.TextField(_("กิจกรรม/วิธีดำเนินการ"))
    target = models.CharField(_("เป้าหมาย"), max_length=255)
    months = models.JSONField(_("ระยะเวลาดำเนินการ (เดือน)"), default=list)
    responsible = models.CharField(_("ผู้รับผิดชอบ"), max_length=255)

    class Meta:
        verbose_name = _("แผนปรับปรุงกระบวนการ")
        verbose_name_plural = _("แผนปรับปรุงกระบวนการ")
        ordering = ["progress", "position", "id"]

    def __str__(self) -> str:
        return self.process


class Feedback(models.Model):
    """Step form "feedback": opinions, suggestions, problems/obstacles and solutions on one topic."""

    progress = models.ForeignKey(StepProgress, models.CASCADE, related_name="feedback")
    topic = models.CharField(_("เรื่อง"), max_length=10, choices=FeedbackTopic.choices)
    opinions = models.TextField(_("ความคิดเห็น"), blank=True)
    suggestions = models.TextField(_("ข้อเสนอแนะ"), blank=True)
    problems = models.TextField(_("ปัญหา/อุปสรรค"), blank=True)
    solutions = models.TextField(_("แนวทางแก้ไข"), blank=True)

    class Meta:
        verbose_name = _("ความคิดเห็นและข้อเสนอแนะ")
        verbose_name_plural = _("ความคิดเห็นและข้อเสนอแนะ")
        ordering = ["progress", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["progress", "topic"], name="one_feedback_per_topic"),
            models.CheckConstraint(condition=Q(topic__in=FeedbackTopic.values), name="feedback_topic_valid"),
        ]

    def __str__(self) -> str:
        return str(self.get_topic_display())

    @property
    def is_empty(self) -> bool:
        return not any([self.opinions, self.suggestions, self.problems, self.solutions])

    @property
    def is_complete(self) -> bool:
        return all([self.opinions, self.suggestions, self.problems, self.solutions])


class EvidenceFileQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)

    def of_unit(self, unit_id: int):
        return self.filter(progress__assessment__unit_id=unit_id)

    def stored_object_of_unit(self, unit_id: int, sha256: str, size: int) -> str | None:
        """The stored name already holding these bytes for the unit (current or removed), if any
        (served by evidence_sha256_idx)."""
        return self.of_unit(unit_id).filter(sha256=sha256, size=size).values_list("stored_name", flat=True).first()

    def stored_bytes_of_unit(self, unit_id: int) -> int:
        """Bytes the unit's evidence takes in storage: each stored object once, removed files'
        included (they are kept). One query over the unit's rows."""
        sizes = self.of_unit(unit_id).order_by().values("stored_name").annotate(bytes=models.Max("size"))
        return sum(row["bytes"] for row in sizes)

    def uploaded_by_since(self, user, since) -> int:
        """How many files the user uploaded since then (served by evidence_uploader_time_idx)."""
        return self.filter(uploaded_by=user, uploaded_at__gte=since).count()


class EvidenceFile(models.Model):
    progress = models.ForeignKey(StepProgress, models.PROTECT, related_name="files", verbose_name=_("ขั้นตอน"))
    requirement = models.ForeignKey(
        EvidenceRequirement, models.PROTECT, null=True, blank=True, related_name="files", verbose_name=_("หลักฐานข้อ")
    )
    work_item = models.ForeignKey(
        WorkItem, models.PROTECT, null=True, blank=True, related_name="files", verbose_name=_("ชิ้นงาน")
    )
    # Shared by the unit's rows with the same bytes (one stored object, never overwritten; see
    # evidence.services.files.evidence_add); check_evidence reports rows of one name that disagree.
    stored_name = models.CharField(_("ชื่อไฟล์ในระบบ"), max_length=255, db_index=True)
    original_name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    size = models.BigIntegerField(_("ขนาด (ไบต์)"))
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=150)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    evidence_date = models.DateField(_("วันที่ของหลักฐาน"), null=True, blank=True)
    description = models.CharField(_("คำอธิบาย"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("อัปโหลดเมื่อ"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("ผู้อัปโหลด")
    )
    removed_at = models.DateTimeField(_("นำออกเมื่อ"), null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    replaces = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("แทนไฟล์")
    )

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("ไฟล์หลักฐาน")
        verbose_name_plural = _("ไฟล์หลักฐาน")
        ordering = ["uploaded_at", "id"]
        constraints = [
            # The same content is stored once per step while it is current.
            models.UniqueConstraint(
                fields=["progress", "sha256"],
                condition=Q(removed_at__isnull=True),
                name="evidence_unique_content_per_step",
            ),
            models.CheckConstraint(condition=Q(size__gte=0), name="evidence_size_not_negative"),
        ]
        indexes = [
            models.Index(fields=["sha256"], name="evidence_sha256_idx"),
            models.Index(fields=["uploaded_by", "uploaded_at"], name="evidence_uploader_time_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]
