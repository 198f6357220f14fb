"""The error a service raises when its rules refuse a change: a Thai message shown to the user as
is, and the form field it belongs to (views put it next to that field, or on top of the page)."""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    default_message = _("ไม่สามารถดำเนินการได้")
    default_field: str | None = None

    def __init__(self, message=None, *, field: str | None = None):
        super().__init__(str(message or self.default_message))
        self.field = field or self.default_field
