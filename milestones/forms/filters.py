from django import forms
from django.utils.translation import gettext_lazy as _

from milestones.models import AuditAction, StepStatus, Unit, UnitKind

KIND_CHOICES = [("", _("ทุกประเภท")), *UnitKind.choices]


STATUS_CHOICES = [("", _("ทุกสถานะ")), *StepStatus.choices]


class QueueFilterForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("ตัวชี้วัด"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("ประเภทหน่วยงาน"), choices=KIND_CHOICES, required=False)
    step = forms.TypedChoiceField(label=_("ขั้นตอน"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("สถานะ"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label=_("ค้นหาชื่อหรือรหัสหน่วยงาน"), required=False, max_length=100)

    def __init__(self, *args, step_numbers=(), indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("ทุกตัวชี้วัดที่กำกับ"))] + [
            (i.pk, _("ตัวชี้วัดที่ %(n)s") % {"n": i.number}) for i in indicators
        ]
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
        self.fields["action"].choices = [("", _("ทุกการกระทำ")), *sorted(AuditAction.choices, key=lambda kv: str(kv[1]))]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น"))
        return data
