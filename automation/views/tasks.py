"""My tasks (``/tasks/``), and tasks added, completed and reopened by hand (SPEC section 10).

Every signed-in agent has *My tasks*: their open tasks by due time, so the overdue first, or the
done ones. A task is added on a ticket page (or on its own page) by those who work tickets; it
is completed or reopened by its assignee or by anyone who works its department's tickets. Each
write is one call to ``automation.services``; a refusal is a message, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView, View

from desk.access import can_manage_automation
from desk.redirects import posted_next
from tickets.selectors import ticket_detail_queryset

from .. import selectors, services
from ..models import Task
from ..task_forms import TaskForm

# The largest primary key the database holds: a larger one in an address is no task (404).
LARGEST_ID = 2**63 - 1
TASK_ADDED = _("Task added.")
TASK_NOT_ADDED = _("The task was not added: correct the errors below.")
TASK_DONE = _("Task done.")
TASK_REOPENED = _("Task reopened.")
# A service's field that the form shows under another name.
FORM_FIELD_OF = {"due_at": "due_date"}


class MyTasksView(ListView):
    """The signed-in user's tasks: open ones by due time (the overdue first, marked), or with
    ``?show=done`` the done ones, newest first."""

    template_name = "automation/task_list.html"
    context_object_name = "tasks"
    paginate_by = 25

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.show_done = request.GET.get("show") == "done"

    def get_queryset(self):
        return selectors.my_tasks(self.request.user, done=self.show_done)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        context.update(
            now=now,
            show_done=self.show_done,
            figures=selectors.open_task_figures(user, now),
            can_work=user.has_perm(services.WORK_TICKETS),
            can_manage_automation=can_manage_automation(user),
            next_url=self.request.get_full_path(),
        )
        return context


def _ticket_chosen(request, value):
    """The ticket a task is for (``ticket=<id>``): None if none is given, 404 if it is not a
    ticket the user sees."""
    value = (value or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and int(value) <= LARGEST_ID):
        raise Http404
    return get_object_or_404(ticket_detail_queryset(request.user), pk=int(value))


def _show_refusal(form, error: ValidationError) -> None:
    """A service's refusal on the form: each message on its field, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        name = FORM_FIELD_OF.get(name, name)
        form.add_error(name if name in form.fields else NON_FIELD_ERRORS, messages_)


class TaskCreateView(PermissionRequiredMixin, TemplateView):
    """A new task: its own page (GET, ``?ticket=<id>`` for a ticket's), and the ticket page's
    add-task form posts here with ``ticket=<id>``. Added, it goes back to the ticket (or to My
    tasks); refused, the form is shown again with each message on its field."""

    permission_required = services.WORK_TICKETS
    raise_exception = True
    template_name = "automation/task_form.html"

    def get(self, request, *args, **kwargs):
        ticket = _ticket_chosen(request, request.GET.get("ticket"))
        return self.render_to_response(self.context(TaskForm(user=request.user, ticket=ticket)))

    def post(self, request, *args, **kwargs):
        ticket = _ticket_chosen(request, request.POST.get("ticket"))
        form = TaskForm(request.POST, user=request.user, ticket=ticket)
        if form.is_valid():
            try:
                services.task_create(by=request.user, **form.task_fields())
            except ValidationError as error:
                _show_refusal(form, error)
            else:
                messages.success(request, TASK_ADDED)
                if ticket is not None:
                    return redirect(f"{ticket.get_absolute_url()}#tasks")
                return redirect("automation:task_list")
        messages.error(request, TASK_NOT_ADDED)
        return self.render_to_response(self.context(form))

    def context(self, form) -> dict:
        return self.get_context_data(form=form, ticket=form.ticket)


class _TaskChangeView(View):
    """POST only: a change to one task the user sees (their own, or one of their departments'),
    by the service, which says who may (403 otherwise)."""

    http_method_names = ["post"]
    done_message = _("Saved.")

    def change(self, task: Task) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        if pk > LARGEST_ID:
            raise Http404
        try:
            task = selectors.task_get(request.user, pk)
        except Task.DoesNotExist as missing:
            raise Http404 from missing
        try:
            self.change(task)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done_message)
        return redirect(posted_next(request, reverse("automation:task_list")))


class TaskCompleteView(_TaskChangeView):
    done_message = TASK_DONE

    def change(self, task):
        services.task_complete(by=self.request.user, task=task)


class TaskReopenView(_TaskChangeView):
    done_message = TASK_REOPENED

    def change(self, task):
        services.task_reopen(by=self.request.user, task=task)
