"""Filters of the round pages: the round switcher and the round overview's filters and sort."""

from django import forms
from django.utils.translation import gettext_lazy as _

from milestones.forms.filters import KIND_CHOICES, STATUS_CHOICES


class RoundOverviewFilterForm(forms.Form):
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
    group = forms.TypedChoiceField(
        label=_("ผู้กำกับตัวชี้วัด"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("มีขั้นตอนที่มีสถานะ"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sort = forms.ChoiceField(label=_("เรียงตาม"), required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups = {i.group_id: i.group.name for i in indicators}
        self.fields["group"].choices = [("", _("ทุกกลุ่ม"))] + sorted(groups.items(), key=lambda kv: kv[1])
        self.fields["sort"].choices = [
            ("code", _("รหัสหน่วยงาน")),
            ("-total", _("คะแนนรวมมากไปน้อย")),
            ("total", _("คะแนนรวมน้อยไปมาก")),
        ] + [(f"-i{i.pk}", _("ตัวชี้วัดที่ %(n)s มากไปน้อย") % {"n": i.number}) for i in indicators]


class OpenRoundForm(forms.Form):
    """The admin's "open the next fiscal year" action: the new year and its deadline."""

    fiscal_year = forms.IntegerField(label=_("ปีงบประมาณใหม่ (พ.ศ.)"), min_value=2500, max_value=3000)
    deadline = forms.DateField(
        label=_("กำหนดส่งผล"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("สิ้นสุดเวลา 23:59 น. ของวันนี้ (เวลาประเทศไทย) ต้องอยู่ในปีงบประมาณใหม่"),
        error_messages={"invalid": _("วันที่ไม่ถูกต้อง")},
    )
