"""Foundation figures: loading the sample units and recalculating 500 units' scores."""

import time

from _setup import ROOT, load_rubric_and_units, report, setup_django

setup_django()

from django.core.management import call_command  # noqa: E402

from milestones.models import StepProgress, StepStatus  # noqa: E402
from milestones.services import assessments_recalculate  # noqa: E402

started = time.perf_counter()
call_command(
    "load_units",
    str(ROOT / "data" / "units" / "sample-units.csv"),
    "--sample",
    verbosity=0,
    stdout=open("/dev/null", "w"),
)
report("load_sample_units_s", f"{time.perf_counter() - started:.3f}")

indicator = load_rubric_and_units(500)
StepProgress.objects.filter(step__number__lte=2).update(status=StepStatus.ACCEPTED, accepted_at="2020-08-01T00:00Z")
started = time.perf_counter()
assessments_recalculate(indicator=indicator)
report("recalculate_all_units_ms", f"{(time.perf_counter() - started) * 1000:.1f}")
