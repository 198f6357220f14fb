"""The one exception an upload is refused with (its message is Thai and shown to the user)."""


class EvidenceRefused(Exception):
    """An upload that is refused; the message is Thai and shown to the user."""
