"""The cover memo form (the unit fills it before filing) and the E-saraban record form."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_tracker.lib import thai
from milestones.models import Filing

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
        """A date typed with the B.E. year (2563) reads as a C.E. year five centuries ahead: refuse it."""
        value = self.cleaned_data["memo_date"]
        if value.year > timezone.localdate().year + 1:
            raise forms.ValidationError(_("ปีของวันที่ไม่ถูกต้อง อาจระบุเป็นปี พ.ศ. กรุณาเลือกวันที่จากปฏิทิน (ปี ค.ศ.)"))
        if self.round is not None and value < thai.fiscal_year_bounds(self.round.fiscal_year)[0]:
            raise forms.ValidationError(_("วันที่ต้องไม่ก่อนเริ่มปีงบประมาณของรอบการประเมิน"))
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
        if value.year > timezone.localdate().year + 1:
            raise forms.ValidationError(_("ปีของวันที่ไม่ถูกต้อง อาจระบุเป็นปี พ.ศ. กรุณาเลือกวันที่จากปฏิทิน (ปี ค.ศ.)"))
        if self.instance.memo_date and value < self.instance.memo_date:
            raise forms.ValidationError(_("วันที่ส่งทาง E-saraban ต้องไม่ก่อนวันที่ของบันทึกข้อความ"))
        return value
