from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What a browser posts for a ticked or unticked checkbox (``value="on"`` unless set), and what
# Django's own checkboxes post.
TICKED = {"on", "1", "true", "True"}
UNTICKED = {"", "0", "false", "False"}
NOT_A_CHECKBOX_VALUE = _("Tick the box or leave it empty.")


class PostedCheckbox(forms.CheckboxInput):
    """Hands the posted text to the field as it came (Django's checkbox turns any text into
    "ticked" before the field sees it)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class CheckboxField(forms.BooleanField):
    """A checkbox that refuses anything a checkbox never posts (Django's ``BooleanField`` takes
    any other text for "ticked")."""

    widget = PostedCheckbox

    def to_python(self, value):
        if value is None or value is False or value is True:
            return bool(value)
        if value in TICKED:
            return True
        if value in UNTICKED:
            return False
        raise ValidationError(NOT_A_CHECKBOX_VALUE, code="invalid")


class ContactInviteForm(forms.Form):
    """The Contacts tab's invitation: whether the contact sees all the account's tickets."""

    is_account_admin = CheckboxField(
        label=_("Account administrator"),
        required=False,
        help_text=_("Sees every ticket of the account in the help centre, not only their own."),
    )
