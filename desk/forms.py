from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Department


class ModulesForm(forms.Form):
    """Settings > Customization > Organize modules: the Contracts switch of each department."""

    contracts = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Departments with the Contracts module"),
    )
