"""The 403 and 404 pages: in the desk's frame, in the reader's language, with a way out."""

import pytest
from django.urls import path, reverse
from django.utils.html import escape

from config import urls as desk_urls
from desk.access import NOT_PERMITTED, require_permission
from desk.models import Preferences
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def refuse(request):
    """A page whose service refuses: the refusal's own message reaches the 403 page."""
    require_permission(request.user, "desk.no_such_permission")


# This module doubles as the URLconf of the test that needs a refusing page.
urlpatterns = [*desk_urls.urlpatterns, path("refuse/", refuse)]


@pytest.fixture(autouse=True)
def _production_error_pages(settings):
    settings.DEBUG = False  # with DEBUG on, Django shows its technical pages instead


def test_404_shows_the_desk_frame_and_the_way_to_the_ticket_list(agent_client):
    response = agent_client.get(reverse("tickets:ticket_detail", args=[999_999]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'id="quick-actions"' in html  # the top bar, as on every signed-in page
    assert escape("This page does not exist, or it is in a department you do not work in.") in html
    assert f'href="{reverse("tickets:ticket_list")}" id="error-way-out"' in html


def test_a_record_of_another_department_answers_the_same_404(agent_client, other_department):
    ticket = f.TicketFactory(department=other_department)
    response = agent_client.get(ticket.get_absolute_url())
    assert response.status_code == 404
    assert 'id="error-page" data-status="404"' in response.content.decode()


def test_404_for_a_visitor_shows_the_frame_without_the_menu(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="error-page" data-status="404"' in html
    assert 'id="quick-actions"' not in html


def test_403_says_what_happened_and_links_home(agent_client):
    response = agent_client.get(reverse("settings"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'id="quick-actions"' in html
    assert "You may not open this page" in html
    assert escape("Your role does not include this. Ask an administrator if you need it.") in html
    assert f'href="{reverse("home")}" id="error-way-out"' in html


@pytest.mark.urls("tests.desk.test_error_pages")
def test_403_shows_the_message_of_a_services_refusal(agent_client):
    response = agent_client.get("/refuse/")
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<p id="error-reason">{escape(str(NOT_PERMITTED))}</p>' in html
    assert escape("Your role does not include this.") not in html


@pytest.mark.parametrize(
    ("url", "status"),
    [(reverse("settings"), 403), (reverse("tickets:ticket_detail", args=[9]), 404)],
)
def test_error_pages_speak_the_readers_language(agent, url, status):
    Preferences.objects.create(user=agent, language="zh-hans")
    response = signed_in(agent).get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert f'id="error-page" data-status="{status}"' in html
    assert 'id="error-way-out"' in html
