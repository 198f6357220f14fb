from django import forms
from django.utils.translation import gettext_lazy as _

from milestones.forms.base import NoTagForm
from milestones.models import DecisionKind


class DecisionForm(NoTagForm):
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


class ReopenForm(NoTagForm):
    reason = forms.CharField(
        label=_("เหตุผลที่เปิดให้แก้ไขใหม่"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("กรุณาระบุเหตุผลที่เปิดให้แก้ไขใหม่")},
    )
