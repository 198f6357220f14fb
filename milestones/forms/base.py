from crispy_forms.helper import FormHelper
from django import forms


class NoTagForm(forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and the buttons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
