import datetime as dt

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
