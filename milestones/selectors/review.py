"""What the review page of one step shows: its submissions with their decisions."""

from django.db.models import Prefetch

from milestones.models import Decision, StepProgress, Submission


def submissions_of(progress: StepProgress) -> list[Submission]:
    """The step's submissions, newest first, with their decisions and who made them (2 queries)."""
    return list(
        Submission.objects.filter(progress=progress)
        .select_related("submitted_by")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")))
        .order_by("-number")
    )
