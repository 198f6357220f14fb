"""The extension forms: the unit's request, and the group's decision (the rules and their Thai messages
are the service's: milestones.services.review.extension_decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from milestones.forms.base import NoTagForm


class ExtensionRequestForm(NoTagForm):
    reason = forms.CharField(
        label=_("เหตุผลที่ขอขยายเวลา"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("กรุณาระบุเหตุผลที่ขอขยายเวลา")},
    )


class ExtensionDecisionForm(NoTagForm):
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
