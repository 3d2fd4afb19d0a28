"""The ticket list's rows, written in Python.

The list is the desk's busiest page, and its 50 rows of nine cells were most of its template's
time: 3.5 ms of a 15 ms page in the template language, 1.3 ms here (issue 21, "precomputed row
values"). Django's admin writes its change list's rows the same way (``admin_list``). Every
value is escaped by ``format_html``; the rows read only what ``selectors.TICKET_ROW_FIELDS``
loads.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from desk.templatetags.when import moment

register = template.Library()

ROW = (
    '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}{}</td>\n      <td>{}</td></tr>"
)


@register.simple_tag
def ticket_rows(tickets):
    """``<tr>`` for each ticket: number, subject (linked), account, department, priority,
    status, assignee, SLA (marked when it is the department's default) and resolution due."""
    default = format_html(' <small class="text-body-secondary">{}</small>', gettext("(default)"))
    return format_html_join("\n    ", ROW, (_cells(ticket, default) for ticket in tickets))


def _cells(ticket, default) -> tuple:
    assignee = ticket.assignee
    return (
        ticket.pk,
        ticket.get_absolute_url(),
        ticket.subject,
        ticket.account,
        ticket.department,
        ticket.priority_label,
        ticket.status_label,
        (assignee.get_full_name() or assignee.get_username()) if assignee else "—",
        ticket.sla or "—",
        default if ticket.follows_default_sla else "",
        moment(ticket.resolution_due_at) or "—",
    )
