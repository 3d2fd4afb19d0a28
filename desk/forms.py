import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Department, Preferences


def read_choices(field: forms.ModelChoiceField, records=None) -> None:
    """Read a drop-down's records now, in one plain query, for its widget to draw (or draw
    ``records``, its queryset's records read already in this request). Drawn as Django draws it,
    a drop-down of records counts them first and then reads them through a server-side cursor:
    four round trips to PostgreSQL on every page view."""
    choices = field.iterator(field)
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    records = field.queryset if records is None else records
    field.widget.choices = empty + [choices.choice(record) for record in records]


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
