"""The form of a task made by hand: on a ticket page (its department's members), or on its own
page (one of the user's departments). The due time is a date and a time in the reader's zone."""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.choices import Priority
from desk.forms import read_choices
from desk.people import person_name
from desk.selectors import department_list
from desk.validators import date_input_attrs, validate_date_in_range
from tickets.services import assignable_users

# The prefix of the form's fields: the ticket page has a form of its own with a priority and an
# assignee, and both forms' fields need ids of their own.
PREFIX = "task"
DEFAULT_DUE_TIME = datetime.time(9, 0)


class TaskForm(forms.Form):
    """Subject, description, assignee, priority and due date and time; ``department`` only
    where there is no ticket (a ticket's task belongs to its department)."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Unassigned")
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs=date_input_attrs(), format="%Y-%m-%d")
    )
    due_time = forms.TimeField(
        label=_("Due time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, user, ticket=None, assignee_choices=None, **kwargs):
        """``assignee_choices``: the ticket's assignable people as a drop-down already read them
        (the ticket page's own form), drawn without reading them again."""
        kwargs.setdefault("prefix", PREFIX)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        kwargs.setdefault(
            "initial", {"assignee": user.pk, "due_date": tomorrow, "due_time": DEFAULT_DUE_TIME}
        )
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        if ticket is not None:
            del self.fields["department"]
            people = assignable_users(ticket.department)
        else:
            departments = department_list(user).order_by("name", "pk")
            self.fields["department"].queryset = departments
            read_choices(self.fields["department"])
            people = (
                get_user_model()
                .objects.filter(is_active=True, departments__in=departments)
                .distinct()
                .order_by("first_name", "last_name", "username")
            )
        assignee = self.fields["assignee"]
        assignee.queryset = people
        assignee.label_from_instance = person_name
        if assignee_choices is not None and ticket is not None:
            assignee.widget.choices = [("", assignee.empty_label), *assignee_choices]
        else:
            read_choices(assignee)
        # Drawn as ``{{ field }}`` on the ticket page (compact), by crispy on the form's page.
        for field in self.fields.values():
            kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{kind} {kind}-sm"
        # The page draws the <form>, with the ticket it is for and the button.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_due_date(self):
        day = self.cleaned_data["due_date"]
        validate_date_in_range(day)
        return day

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("due_date"), cleaned.get("due_time")
        if day is not None and time is not None:
            moment = datetime.datetime.combine(day, time)
            cleaned["due_at"] = timezone.make_aware(moment, timezone.get_current_timezone())
        return cleaned

    def task_fields(self) -> dict:
        """The cleaned values as ``services.task_create`` takes them."""
        data = self.cleaned_data
        fields = {
            "subject": data["subject"],
            "description": data["description"],
            "assignee": data["assignee"],
            "priority": data["priority"],
            "due_at": data["due_at"],
        }
        if self.ticket is not None:
            fields["ticket"] = self.ticket
        else:
            fields["department"] = data["department"]
        return fields
