"""Forms of the review pages: decisions, extensions and the filters of the queue, dashboard and audit log."""

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from milestones.audit import ACTION_LABELS
from milestones.models import DecisionKind, StepStatus, Unit, UnitKind

KIND_CHOICES = [("", _("ทุกประเภท")), *UnitKind.choices]
STATUS_CHOICES = [("", _("ทุกสถานะ")), *StepStatus.choices]


class _NoTagForm(forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and the buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DecisionForm(_NoTagForm):
    kind = forms.ChoiceField(
        label=_("ผลการพิจารณา"),
        choices=[(DecisionKind.ACCEPTED, _("ผ่าน")), (DecisionKind.RETURNED, _("ส่งกลับให้แก้ไข"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("กรุณาเลือกผลการพิจารณา"), "invalid_choice": _("ผลการพิจารณาไม่ถูกต้อง")},
    )
    comment = forms.CharField(
        label=_("ความเห็น / สิ่งที่ต้องแก้ไข"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("จำเป็นเมื่อส่งกลับ: บอกหน่วยงานว่าต้องแก้ไขอะไร"),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == DecisionKind.RETURNED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("กรุณาระบุสิ่งที่หน่วยงานต้องแก้ไข"))
        return data


class ReopenForm(_NoTagForm):
    reason = forms.CharField(
        label=_("เหตุผลที่เปิดให้แก้ไขใหม่"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("กรุณาระบุเหตุผลที่เปิดให้แก้ไขใหม่")},
    )


class ExtensionRequestForm(_NoTagForm):
    reason = forms.CharField(
        label=_("เหตุผลที่ขอขยายเวลา"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("กรุณาระบุเหตุผลที่ขอขยายเวลา")},
    )


class ExtensionDecisionForm(_NoTagForm):
    decision = forms.ChoiceField(
        label=_("ผลการพิจารณา"),
        choices=[("grant", _("อนุมัติ")), ("refuse", _("ไม่อนุมัติ"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("กรุณาเลือกผลการพิจารณา"), "invalid_choice": _("ผลการพิจารณาไม่ถูกต้อง")},
    )
    new_deadline = forms.DateField(
        label=_("กำหนดส่งใหม่"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("ต้องหลังกำหนดส่งปัจจุบัน (สิ้นสุดเวลา 23:59 น. ของวันนั้น)"),
        error_messages={"invalid": _("วันที่ไม่ถูกต้อง")},
    )
    note = forms.CharField(
        label=_("หมายเหตุ / เหตุผล"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("จำเป็นเมื่อไม่อนุมัติ"),
    )

    def __init__(self, *args, current_deadline: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_deadline = current_deadline

    def clean(self):
        data = super().clean()
        if data.get("decision") == "grant":
            new_deadline = data.get("new_deadline")
            if new_deadline is None and "new_deadline" not in self.errors:
                self.add_error("new_deadline", _("กรุณาระบุกำหนดส่งใหม่"))
            elif new_deadline is not None and new_deadline <= self.current_deadline:
                self.add_error("new_deadline", _("กำหนดส่งใหม่ต้องหลังกำหนดส่งปัจจุบัน"))
        elif data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("กรุณาระบุเหตุผลที่ไม่อนุมัติ"))
        return data


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("ประเภทหน่วยงาน"), choices=KIND_CHOICES, required=False)
    step = forms.TypedChoiceField(label=_("ขั้นตอน"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("สถานะ"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label=_("ค้นหาชื่อหรือรหัสหน่วยงาน"), required=False, max_length=100)

    def __init__(self, *args, step_numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", _("ทุกขั้นตอน"))] + [(n, _("ขั้นตอนที่ %(n)s") % {"n": n}) for n in step_numbers]


class DashboardFilterForm(forms.Form):
    q = forms.CharField(
        label=_("ค้นหาชื่อหรือรหัสหน่วยงาน"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kind = forms.ChoiceField(
        label=_("ประเภทหน่วยงาน"),
        choices=KIND_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("มีขั้นตอนที่มีสถานะ"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    flagged = forms.BooleanField(
        label=_("เฉพาะหน่วยงานที่ยังไม่ส่งและใกล้ครบกำหนด"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class AuditFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน"), queryset=Unit.objects.order_by("kind", "code"), required=False, empty_label=_("ทุกหน่วยงาน")
    )
    user = forms.CharField(label=_("ผู้ใช้ (ชื่อบัญชี)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("การกระทำ"), required=False)
    date_from = forms.DateField(
        label=_("ตั้งแต่วันที่"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("วันที่ไม่ถูกต้อง")},
    )
    date_to = forms.DateField(
        label=_("ถึงวันที่"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("วันที่ไม่ถูกต้อง")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("ทุกการกระทำ")), *sorted(ACTION_LABELS.items(), key=lambda kv: kv[1])]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น"))
        return data
