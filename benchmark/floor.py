"""The floor: a bare Django view rendering the ticket list's 50 rows from one query.

It runs in the same process, through the same middleware, as the pages it is compared with, and
shows the same columns without the desk's layout, filters or pagination: what a page of 50 rows
costs Django itself. ``make bench`` prints each list page's ratio to it (issue 21: at most 2×).
It is served only while the benchmark measures (this module replaces ``ROOT_URLCONF``), never by
the desk.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from tickets.models import Ticket

URL = "/benchmark/floor/"
ROWS = 50

_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>Tickets</title><table><tbody>"
    "{% for t in tickets %}<tr><td>{{ t.pk }}</td><td>{{ t.subject }}</td>"
    "<td>{{ t.account.name }}</td><td>{{ t.department.name }}</td><td>{{ t.priority }}</td>"
    "<td>{{ t.status }}</td><td>{{ t.assignee.username|default:'—' }}</td>"
    "<td>{{ t.sla.name|default:'—' }}</td><td>{{ t.resolution_due_at|default:'—' }}</td></tr>"
    "{% endfor %}</tbody></table>"
)


def floor_view(request):
    tickets = Ticket.objects.select_related("account", "department", "assignee", "sla").order_by(
        "-created_at", "-id"
    )[:ROWS]
    return HttpResponse(_TEMPLATE.render({"tickets": tickets}))


# The desk's addresses and the floor's: ``override_settings(ROOT_URLCONF="benchmark.floor")``.
urlpatterns = [
    path(URL.strip("/") + "/", floor_view),
    path("", include("config.urls")),
]
handler400 = "api.errors.bad_request"
handler404 = "api.errors.page_not_found"
