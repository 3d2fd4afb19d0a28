import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.validators import date_input_attrs, validate_date_in_range

from .tokens import NAME_MAX_LENGTH, NAME_REQUIRED


class TokenForm(forms.Form):
    """A new personal token's name and last day; ``api.tokens.token_create`` checks the rules."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": NAME_REQUIRED},
        help_text=_("What will use it, such as “Billing system”."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        validators=[validate_date_in_range],
        widget=forms.DateInput(attrs=date_input_attrs()),
        help_text=_("Leave empty for a token that lasts until you revoke it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker offers tomorrow onwards (the service refuses an earlier day).
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.fields["expires_on"].widget.attrs["min"] = tomorrow.isoformat()
