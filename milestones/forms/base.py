from crispy_forms.helper import FormHelper
from django import forms

from kpi_tracker.lib.text import CleanTextMixin


class NoTagForm(CleanTextMixin, forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and the buttons. Text fields
    lose invisible and bidirectional-override characters (they are shown to the other side)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
