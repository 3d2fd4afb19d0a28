from django import forms
from django.utils.translation import gettext_lazy as _

from desk.validators import date_input_attrs

from .tokens import NAME_MAX_LENGTH


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("What will use it, such as “Billing system”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs=date_input_attrs()),
        help_text=_("Leave empty for a token that lasts until you revoke it."),
    )
