"""Step kind "measurement": the single reporting step of a quantitative indicator
(milestones/indicator_kinds/quantitative.py). The unit reports the measured value and the date it
was measured, and attaches the evidence files; the supervising group accepts or returns it like
any step, and the accepted value is scored against the indicator's five targets."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evidence.forms import ThaiDateField
from evidence.kinds.base import StepKind
from milestones.models import Measurement
from milestones.rules import scoring
from milestones.services.steps import StepRefused


class MeasurementForm(forms.Form):
    value = forms.DecimalField(
        label=_("ค่าที่วัดได้"),
        max_digits=14,
        decimal_places=4,
        error_messages={
            "required": _("กรุณาระบุค่าที่วัดได้"),
            "invalid": _("ค่าที่วัดได้ต้องเป็นตัวเลข เช่น 85 หรือ 85.5"),
            "max_digits": _("ค่าที่วัดได้มีตัวเลขมากเกินไป"),
            "max_decimal_places": _("ค่าที่วัดได้มีทศนิยมได้ไม่เกิน 4 ตำแหน่ง"),
            "max_whole_digits": _("ค่าที่วัดได้มีตัวเลขมากเกินไป"),
        },
    )
    measured_on = ThaiDateField(
        label=_("วันที่วัด"),
        help_text=_("วันที่ของข้อมูลที่รายงาน"),
        error_messages={"required": _("กรุณาระบุวันที่วัด")},
    )

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator is not None and indicator.value_unit:
            self.fields["value"].label = _("ค่าที่วัดได้ (%(unit)s)") % {"unit": indicator.value_unit}

    def clean_value(self) -> Decimal:
        value = self.cleaned_data["value"]
        if self.indicator is not None and (
            refusal := scoring.value_refusal(value, self.indicator.value_min, self.indicator.value_max)
        ):
            raise forms.ValidationError(refusal)
        return value


class MeasurementKind(StepKind):
    name = "measurement"
    label = _("รายงานค่าที่วัดได้ (ตัวชี้วัดเชิงปริมาณ)")
    form_template = "evidence/kinds/measurement_form.html"
    page_template = "evidence/kinds/measurement_page.html"
    snapshot_template = "evidence/kinds/measurement_snapshot.html"

    def _measurement(self, progress) -> Measurement | None:
        return Measurement.objects.filter(progress=progress).first()

    def forms(self, progress, data=None):
        saved = self._measurement(progress)
        initial = {"value": saved.value.normalize(), "measured_on": saved.measured_on} if saved else {}
        return {"measurement_form": MeasurementForm(data, initial=initial, indicator=progress.step.indicator)}

    def cleaned(self, forms):
        form = forms["measurement_form"]
        return dict(form.cleaned_data) if form.is_valid() else None

    def save(self, progress, user, content, now):
        indicator = progress.step.indicator
        if refusal := scoring.value_refusal(content["value"], indicator.value_min, indicator.value_max):
            raise StepRefused(refusal)
        Measurement.objects.update_or_create(
            progress=progress,
            defaults={
                "value": content["value"],
                "measured_on": content["measured_on"],
                "updated_at": now,
                "updated_by": user,
            },
        )

    def page_context(self, progress, files):
        indicator = progress.step.indicator
        return {
            "measurement": self._measurement(progress),
            "targets": list(indicator.targets.order_by("level")),
            "indicator": indicator,
        }

    def missing(self, progress, files):
        return [] if self._measurement(progress) else [gettext("ยังไม่ได้รายงานค่าที่วัดได้และวันที่วัด")]

    def content(self, progress, files):
        saved = self._measurement(progress)
        if saved is None:
            return {}
        return {
            "value": f"{saved.value.normalize():f}",
            "measured_on": saved.measured_on.isoformat(),
            "value_unit": progress.step.indicator.value_unit,
        }

    def demo_content(self, unit, day, progress):
        targets = [t.value for t in progress.step.indicator.targets.order_by("level")]
        if len(targets) < 2:
            return None
        # Between two targets, different for each unit: a realistic spread of scores.
        k = sum(map(ord, unit.code)) % 4
        value = targets[k] + (targets[k + 1] - targets[k]) * Decimal("0.5")
        return {"value": value.quantize(Decimal("0.01")), "measured_on": day}


KIND = MeasurementKind()
