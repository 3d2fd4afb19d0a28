"""Each user's language and time zone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from desk.models import Preferences
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_due_times_show_in_the_users_time_zone(agent_client, agent, department):
    due = datetime.datetime(2026, 3, 6, 1, 30, tzinfo=datetime.UTC)
    ticket = f.TicketFactory(
        department=department, response_due_at=due, sla=f.SLAFactory(department=department)
    )
    response = agent_client.post(
        reverse("preferences"), {"language": "", "time_zone": "Asia/Shanghai"}
    )
    assert response.status_code == 302
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert 'datetime="2026-03-06T09:30:00+08:00"' in html
    assert Preferences.objects.get(user=agent).time_zone == "Asia/Shanghai"


def test_preferences_are_read_again_at_the_next_sign_in(client, agent, department):
    due = datetime.datetime(2026, 3, 6, 14, 0, tzinfo=datetime.UTC)
    ticket = f.TicketFactory(
        department=department, resolution_due_at=due, sla=f.SLAFactory(department=department)
    )
    Preferences.objects.create(user=agent, time_zone="America/New_York", language="zh-hans")
    client.force_login(agent)
    response = client.get(ticket.get_absolute_url())
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert 'datetime="2026-03-06T09:00:00-05:00"' in response.content.decode()
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request


def test_an_unknown_time_zone_is_refused_on_the_form(agent_client, agent):
    response = agent_client.post(reverse("preferences"), {"language": "", "time_zone": "Mars/Base"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Preferences.objects.filter(user=agent).exists()


def test_the_top_bar_switches_language_and_remembers_it(agent_client, agent):
    response = agent_client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/tickets/"}
    )
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    assert Preferences.objects.get(user=agent).language == "zh-hans"
    html = agent_client.get("/tickets/").content.decode()
    assert '<html lang="zh-hans">' in html


def test_the_language_switch_refuses_foreign_redirects(agent_client):
    response = agent_client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == "/"


def test_the_sign_in_page_can_switch_language(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/accounts/login/"})
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()


def test_a_users_language_does_not_leak_past_the_request(agent_client, agent):
    from django.utils import translation

    Preferences.objects.create(user=agent, language="zh-hans")
    agent_client.get("/tickets/")
    assert translation.get_language() == "en"
