"""Mail to unit staff and reviewers, every message rendered through one function.

Templates live under templates/review/email/<name>_subject.txt and <name>_body.txt
(Thai, plain text). Services queue these with transaction.on_commit so a mail
goes out only for a change that was really saved.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from milestones.models import Decision, Extension, Role, Unit


def site_url(path: str) -> str:
    """An absolute link for a mail; SITE_URL comes from the environment (default: the dev server)."""
    return settings.SITE_URL.rstrip("/") + path


def render_mail(name: str, context: dict) -> tuple[str, str]:
    """(subject, body) of templates/review/email/<name>_subject.txt and <name>_body.txt, in Thai
    (the recipients' language, whatever the interface language of whoever caused the mail)."""
    with translation.override("th"):
        subject = render_to_string(f"review/email/{name}_subject.txt", context)
        body = render_to_string(f"review/email/{name}_body.txt", context)
    subject = " ".join(subject.split())  # a header must be one line
    return subject, body


def send(name: str, context: dict, recipients: Iterable[str]) -> int:
    """Send one mail to the recipients (Bcc, so staff do not see each other's addresses)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    subject, body = render_mail(name, context)
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, bcc=recipients)
    return message.send()


def unit_staff_emails(unit: Unit | int) -> list[str]:
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return list(
        get_user_model()
        .objects.filter(profile__unit_id=unit_id, profile__role=Role.STAFF, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def reviewer_emails(group_id: int) -> list[str]:
    """The addresses of the active reviewers of one supervising group."""
    return list(
        get_user_model()
        .objects.filter(profile__role=Role.REVIEWER, profile__supervising_groups=group_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def notify_step_decided(decision_id: int) -> int:
    """Tell the unit's staff that a step was accepted, returned or reopened."""
    decision = Decision.objects.select_related(
        "progress__step",
        "progress__assessment__unit",
        "progress__assessment__indicator__round",
        "progress__assessment__indicator__group",
        "decided_by",
    ).get(pk=decision_id)
    assessment = decision.progress.assessment
    context = {
        "decision": decision,
        "progress": decision.progress,
        "assessment": assessment,
        "unit": assessment.unit,
        "url": site_url(reverse("assessment-detail", args=[assessment.pk])),
    }
    return send(f"step_{decision.kind}", context, unit_staff_emails(assessment.unit_id))


def notify_extension_decided(extension_id: int) -> int:
    """Tell the unit's staff whether they got more time."""
    extension = Extension.objects.select_related(
        "assessment__unit", "assessment__indicator__round", "assessment__indicator__group"
    ).get(pk=extension_id)
    context = {
        "extension": extension,
        "assessment": extension.assessment,
        "unit": extension.assessment.unit,
        "url": site_url(reverse("assessment-detail", args=[extension.assessment_id])),
    }
    return send(f"extension_{extension.status}", context, unit_staff_emails(extension.assessment.unit_id))
