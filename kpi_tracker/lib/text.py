"""Free text that other people will read: without the invisible characters that can disguise it.

Bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) make "exe.pdf" read as
"fdp.exe", or a reviewer's comment read backwards; zero-width and other format characters, tag
characters and control characters hide text or split words a search would find. clean_text()
removes them (keeping line breaks and tabs in multi-line text, and the zero-width joiners that
emoji and some scripts need) and normalises to NFC. CleanTextMixin applies it to every text field
of a form, before the field's own checks (required, max_length).
"""

import unicodedata

from django import forms

# Format characters (category Cf) that text legitimately needs: the joiners of emoji sequences and
# of scripts such as Persian and the Indic ones (Thai needs neither, but names may be in others).
KEPT_FORMAT = {"\u200c", "\u200d"}
# Letters that render as nothing (Hangul fillers), a favourite for blank-looking names.
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
LINE_BREAKS = {"\n", "\r", "\t"}


def clean_text(value: str, *, multiline: bool = True) -> str:
    value = unicodedata.normalize("NFC", value)
    out = []
    for ch in value:
        category = unicodedata.category(ch)
        if ch in LINE_BREAKS:
            out.append(ch if multiline else " ")
        elif category in {"Zl", "Zp"}:  # U+2028, U+2029: line and paragraph separators
            out.append("\n" if multiline else " ")
        elif category in {"Cc", "Cs", "Co", "Cn"} or ch in INVISIBLE_LETTERS:
            continue
        elif category == "Cf" and ch not in KEPT_FORMAT:
            continue
        else:
            out.append(ch)
    return "".join(out)


class CleanTextMixin:
    """A form whose text fields are run through clean_text() as they are read from the request.

    Put it first among the bases (class MyForm(CleanTextMixin, forms.Form)). Text areas keep
    their line breaks; single-line fields get spaces instead. URL and e-mail fields are left to
    their own validation.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field, forms.URLField | forms.EmailField | forms.SlugField
            ):
                field.to_python = _cleaning(field, field.to_python)


def _cleaning(field, to_python):
    multiline = isinstance(field.widget, forms.Textarea)

    def cleaned(value):
        value = to_python(value)
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline)
            if getattr(field, "strip", False):
                value = value.strip()
        return value

    return cleaned
