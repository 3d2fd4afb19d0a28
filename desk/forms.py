import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Department, Preferences


def read_choices(field: forms.ModelChoiceField, records=None) -> None:
    """Read a drop-down's records now, in one plain query, for its widget to draw (or draw
    ``records``, its queryset's records read already in this request). Drawn as Django draws it,
    a drop-down of records counts them first and then reads them through a server-side cursor:
    four round trips to PostgreSQL on every page view. A ``ChosenAmongRead`` field then finds a
    posted value among these records."""
    choices = field.iterator(field)
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.records_read = list(field.queryset if records is None else records)
    field.widget.choices = empty + [choices.choice(record) for record in field.records_read]


class ChosenAmongRead(forms.ModelChoiceField):
    """A drop-down of records whose posted value, once ``read_choices`` has read them, is found
    among those records rather than by a query of its own: one for the value posted and one for
    the value the form was drawn with, where the form compares against it
    (``show_hidden_initial``). Four queries of the ticket page's update."""

    records_read: list | None = None

    def to_python(self, value):
        if self.records_read is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        key = str(value.pk if isinstance(value, self.queryset.model) else value)
        for record in self.records_read:
            if str(record.pk) == key:
                return record
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ModulesForm(forms.Form):
    """Settings > Customization > Organize modules: the Contracts switch of each department."""

    contracts = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Departments with the Contracts module"),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].queryset = departments


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = Preferences
        fields = ["language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = [
            ("", _("The desk's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *((zone, zone) for zone in sorted(zoneinfo.available_timezones())),
        ]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
