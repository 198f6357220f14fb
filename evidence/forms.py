"""The upload form and the pieces the step kinds' forms share (evidence/kinds/: one module per kind).

Forms only validate input and hand plain data to the services; they hold no rules
about steps. Labels, hints and errors are Thai. Every text a reviewer will read loses its
invisible and bidirectional-override characters (kpi_tracker.lib.text.CleanTextMixin, a base of
the upload form and of every step kind's form).
"""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from evidence.validation import ALLOWED_EXTENSIONS
from kpi_tracker.lib import thai
from kpi_tracker.lib.text import CleanTextMixin

THAI_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


class ThaiDateField(forms.DateField):
    """A date typed as 2020-09-15 (what the browser's date picker sends) or 15/9/2563 (B.E.)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("กรุณากรอกวันที่ให้ถูกต้อง เช่น 15/09/2563")}

    def to_python(self, value):
        if isinstance(value, str):
            value = thai.to_arabic_digits(value)
            match = THAI_DATE.match(value)
            if match:
                day, month, year = (int(g) for g in match.groups())
                if year > 2400:
                    year = thai.ce_year(year)
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(CleanTextMixin, forms.Form):
    files = MultipleFileField(
        label=_("ไฟล์หลักฐาน"),
        help_text=_("เลือกได้หลายไฟล์พร้อมกัน: PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, ข้อความ, CSV"),
        error_messages={"required": _("กรุณาเลือกไฟล์อย่างน้อย 1 ไฟล์")},
    )
    evidence_date = ThaiDateField(
        label=_("วันที่ของหลักฐาน"),
        help_text=_("วันที่ประชุมหรือวันที่ของเอกสาร (ไม่ใช่วันที่อัปโหลด)"),
        error_messages={"required": _("กรุณาระบุวันที่ของหลักฐาน")},
    )
    work_item = forms.TypedChoiceField(label=_("เป็นหลักฐานของชิ้นงาน"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(label=_("คำอธิบาย (ถ้ามี)"), max_length=255, required=False)

    def __init__(self, *args, work_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
        if work_items:
            self.fields["work_item"].choices = [("", _("หลักฐานทั่วไปของขั้นตอน"))] + [
                (item.pk, f"{thai.thai_date(item.date, short=True)} {item.topic}") for item in work_items
            ]
        else:
            del self.fields["work_item"]


class RowFormSet(forms.BaseFormSet):
    """Blank extra rows are skipped; at least one filled row is asked for."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("ลบรายการนี้")  # Django's own label is not translated to Thai

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.rows():
            raise forms.ValidationError(_("กรุณากรอกอย่างน้อย 1 รายการ"))

    def rows(self, *, with_deleted: bool = False) -> list[dict]:
        """The filled rows' data in order; with_deleted adds deleted existing rows marked {"delete": True}."""
        rows = []
        for form in self.forms:
            data = {k: v for k, v in (form.cleaned_data or {}).items() if k != "DELETE"}
            if not data:
                continue
            if self._should_delete_form(form):
                if with_deleted and data.get("id"):
                    rows.append({"id": data["id"], "delete": True})
                continue
            rows.append(data)
        return rows
