"""The cover memo form (the unit fills it before filing) and the E-saraban record form. They check the
shape of the input and run the service's date rules (milestones.services.filings) early, so that every
message shows at once; the service enforces them again."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models import Filing
from milestones.services.filings import FilingError, check_esaraban_date, check_memo_date

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemoForm(forms.ModelForm):
    """ที่ วันที่ เรียน and the signer: the parts of the memo the product cannot know."""

    class Meta:
        model = Filing
        fields = ["memo_number", "memo_date", "recipient", "signer_name", "signer_position"]
        widgets = {"memo_date": DATE_INPUT}
        help_texts = {
            "memo_number": _("เช่น กษ ๐๕๐๙/๑๒๓"),
            "memo_date": _("วันที่ของบันทึกข้อความ (ปฏิทินแสดงเป็น ค.ศ. ตามเบราว์เซอร์ รายงานพิมพ์เป็น พ.ศ.)"),
            "signer_name": _("ชื่อ-สกุลของหัวหน้าหน่วยงานผู้ลงนาม"),
        }
        error_messages = {
            "memo_number": {"required": _("กรุณาระบุเลขที่หนังสือ")},
            "memo_date": {"required": _("กรุณาระบุวันที่"), "invalid": _("วันที่ไม่ถูกต้อง")},
            "recipient": {"required": _("กรุณาระบุผู้รับ (เรียน)")},
            "signer_name": {"required": _("กรุณาระบุชื่อผู้ลงนาม")},
            "signer_position": {"required": _("กรุณาระบุตำแหน่งผู้ลงนาม")},
        }

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.strip = True

    def clean_memo_date(self) -> dt.date:
        value = self.cleaned_data["memo_date"]
        if self.round is not None:
            _rule(check_memo_date, value, self.round, timezone.localdate())
        return value


class RecordForm(forms.ModelForm):
    """After filing: the document number E-saraban gave and the date it was sent."""

    class Meta:
        model = Filing
        fields = ["esaraban_number", "esaraban_date"]
        widgets = {"esaraban_date": DATE_INPUT}
        error_messages = {
            "esaraban_number": {"required": _("กรุณาระบุเลขที่หนังสือในระบบ E-saraban")},
            "esaraban_date": {"required": _("กรุณาระบุวันที่ส่ง"), "invalid": _("วันที่ไม่ถูกต้อง")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["esaraban_number"].required = True
        self.fields["esaraban_date"].required = True

    def clean_esaraban_date(self) -> dt.date:
        value = self.cleaned_data["esaraban_date"]
        _rule(check_esaraban_date, value, self.instance.memo_date, timezone.localdate())
        return value


def _rule(check, *args) -> None:
    """Run one of the service's date rules now, so that its message shows with the form's other errors."""
    try:
        check(*args)
    except FilingError as error:
        raise forms.ValidationError(str(error)) from None
