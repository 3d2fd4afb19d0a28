import datetime
import re

import pytest
from django.urls import reverse

from desk.choices import Priority
from sla import services
from sla.forms import SLAForm
from sla.models import SLA, EscalationLevel, SLATarget, WorkingPeriod
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

CREATE = reverse("sla:sla_create")


def valid_data(department, **overrides):
    data = {
        "name": "Office hours",
        "department": department.pk,
        "description": "",
        "is_active": "on",
        "business_hours": "weekly",
        "time_zone": "Asia/Shanghai",
        "holiday_list": "",
        "levels-TOTAL_FORMS": "1",
        "levels-INITIAL_FORMS": "0",
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "1000",
        # The untouched extra escalation row, as a browser submits it.
        "levels-0-target": "",
        "levels-0-minutes": "0",
        "levels-0-when": "after",
        "levels-0-action": "",
    }
    for priority in Priority.values:
        data[f"{priority}_response_hours"] = "1"
        data[f"{priority}_response_minutes"] = "0"
        data[f"{priority}_resolution_hours"] = "8"
        data[f"{priority}_resolution_minutes"] = "30"
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        data[f"{day}_start"] = "09:00"
        data[f"{day}_end"] = "18:00"
    data.update(overrides)
    return data


def test_create_sla_with_targets_schedule_and_escalation(admin_client, department, agent):
    data = valid_data(
        department,
        **{
            "levels-0-target": "resolution",
            "levels-0-minutes": "30",
            "levels-0-when": "before",
            "levels-0-action": "notify",
            "levels-0-notify_users": [str(agent.pk)],
        },
    )
    response = admin_client.post(CREATE, data)
    sla = SLA.objects.get(name="Office hours")
    assert response.status_code == 302 and response.url == sla.get_absolute_url()
    assert sla.targets.get(priority=Priority.HIGH).resolution_minutes == 8 * 60 + 30
    assert sla.working_periods.count() == 5
    level = sla.escalation_levels.get()
    assert (level.level, level.offset_minutes, list(level.notify_users.all())) == (1, -30, [agent])
    page = admin_client.get(sla.get_absolute_url())
    assert "8 h 30 min" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"high_response_hours": "-1"}, "high_response_hours", services.TARGET_NEGATIVE),
        (
            {"low_resolution_hours": "", "low_resolution_minutes": ""},
            "low_resolution_hours",
            services.TARGET_MISSING,
        ),
        (
            {"urgent_response_hours": "9"},
            "urgent_response_hours",
            services.RESPONSE_AFTER_RESOLUTION,
        ),
        (
            {
                f"{d}_{e}": ""
                for d in ("monday", "tuesday", "wednesday", "thursday", "friday")
                for e in ("start", "end")
            },
            "business_hours",
            services.SCHEDULE_EMPTY,
        ),
        ({"monday_end": "08:00"}, "monday_end", services.PERIOD_END_BEFORE_START),
        ({"monday_start_2": "19:00"}, "monday_end_2", services.PERIOD_INCOMPLETE),
        (
            {"monday_start_2": "17:00", "monday_end_2": "20:00"},
            "monday_start_2",
            services.PERIODS_OVERLAP,
        ),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(
    admin_client, department, overrides, field, message
):
    response = admin_client.post(CREATE, valid_data(department, **overrides))
    assert response.status_code == 200
    assert str(message) in response.context["form"].errors[field]
    assert str(message) in response.content.decode()
    assert not SLA.objects.exists()
    assert not SLATarget.objects.exists() and not WorkingPeriod.objects.exists()


def test_a_day_can_have_a_lunch_break(admin_client, department):
    data = valid_data(
        department,
        monday_end="12:00",
        monday_start_2="13:00",
        monday_end_2="18:00",
    )
    assert admin_client.post(CREATE, data).status_code == 302
    monday = SLA.objects.get().working_periods.filter(weekday=0).order_by("start_time")
    assert [(p.start_time.hour, p.end_time.hour) for p in monday] == [(9, 12), (13, 18)]


def test_editing_keeps_every_period_of_a_day(admin_client, department):
    """Three periods on a day (entered in the back office) get three columns, not one."""
    sla = f.SLAFactory(department=department, business_hours="weekly")
    for start, end in ((8, 10), (11, 13), (14, 17)):
        WorkingPeriod.objects.create(
            sla=sla, weekday=2, start_time=f"{start:02d}:00", end_time=f"{end:02d}:00"
        )
    url = reverse("sla:sla_edit", args=[sla.pk])
    form = admin_client.get(url).context["form"]
    assert list(form.period_numbers) == [1, 2, 3]
    data = {
        **valid_data(department, name=sla.name),
        **{
            k: ""
            for d in ("monday", "tuesday", "thursday", "friday")
            for k in (f"{d}_start", f"{d}_end")
        },
    }
    for name in form.fields:
        if name.startswith("wednesday_"):
            value = form.initial.get(name)
            data[name] = value.strftime("%H:%M") if value else ""
    assert admin_client.post(url, data).status_code == 302
    periods = sla.working_periods.order_by("start_time")
    assert [(p.weekday, p.start_time.hour, p.end_time.hour) for p in periods] == [
        (2, 8, 10),
        (2, 11, 13),
        (2, 14, 17),
    ]


def test_reassign_level_needs_an_agent(admin_client, department):
    data = valid_data(
        department,
        **{
            "levels-0-target": "response",
            "levels-0-minutes": "0",
            "levels-0-when": "after",
            "levels-0-action": "reassign",
        },
    )
    response = admin_client.post(CREATE, data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["reassign_to"]
    assert not SLA.objects.exists()


def test_edit_keeps_levels_and_replaces_targets(admin_client, department, agent):
    sla = f.SLAFactory(department=department)
    EscalationLevel.objects.create(
        sla=sla, level=1, target="response", action="reassign", reassign_to=agent
    )
    url = reverse("sla:sla_edit", args=[sla.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = valid_data(
        department,
        name="Renamed",
        business_hours="24x7",
        **{
            "levels-TOTAL_FORMS": "1",
            "levels-INITIAL_FORMS": "1",
            "levels-0-target": "response",
            "levels-0-minutes": "15",
            "levels-0-when": "after",
            "levels-0-action": "reassign",
            "levels-0-reassign_to": str(agent.pk),
        },
    )
    level_pk = sla.escalation_levels.get().pk
    response = admin_client.post(url, data)
    assert response.status_code == 302
    sla.refresh_from_db()
    assert sla.name == "Renamed" and sla.business_hours == "24x7"
    assert not sla.working_periods.exists()
    level = sla.escalation_levels.get()
    assert (level.pk, level.offset_minutes) == (level_pk, 15)


def test_delete_refused_while_a_plan_uses_it(admin_client, department):
    plan = f.SupportPlanFactory(department=department)
    response = admin_client.post(reverse("sla:sla_delete", args=[plan.sla.pk]), follow=True)
    assert SLA.objects.filter(pk=plan.sla.pk).exists()
    assert "Deactivate it instead" in response.content.decode()


def test_deactivate_reactivate_and_delete_unused(admin_client, department):
    sla = f.SLAFactory(department=department)
    admin_client.post(reverse("sla:sla_deactivate", args=[sla.pk]))
    sla.refresh_from_db()
    assert not sla.is_active
    admin_client.post(reverse("sla:sla_reactivate", args=[sla.pk]))
    sla.refresh_from_db()
    assert sla.is_active
    response = admin_client.post(reverse("sla:sla_delete", args=[sla.pk]))
    assert response.status_code == 302 and not SLA.objects.filter(pk=sla.pk).exists()


def test_agents_get_403_even_on_forged_posts(agent_client, department):
    sla = f.SLAFactory(department=department)
    for url in (reverse("sla:sla_list"), CREATE, reverse("sla:sla_edit", args=[sla.pk])):
        assert agent_client.get(url).status_code == 403
    assert agent_client.post(CREATE, valid_data(department)).status_code == 403
    assert agent_client.post(reverse("sla:sla_delete", args=[sla.pk])).status_code == 403
    assert agent_client.post(reverse("sla:sla_deactivate", args=[sla.pk])).status_code == 403
    assert SLA.objects.get(pk=sla.pk).is_active


def test_other_departments_sla_is_404(department, other_department):
    manager = f.UserFactory(username="manager", departments=[department])
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    client = signed_in(manager)
    sla = f.SLAFactory(department=other_department)
    assert client.get(reverse("sla:sla_detail", args=[sla.pk])).status_code == 404
    assert client.post(reverse("sla:sla_delete", args=[sla.pk])).status_code == 404
    # and another department is not offered in the form
    response = client.post(CREATE, valid_data(other_department))
    assert "department" in response.context["form"].errors


def test_list_filters_by_department_and_active(admin_client, department, other_department):
    f.SLAFactory(department=department, name="Gold")
    f.SLAFactory(department=other_department, name="Silver", is_active=False)
    url = reverse("sla:sla_list")
    names = lambda r: [s.name for s in r.context["slas"]]  # noqa: E731
    assert set(names(admin_client.get(url))) == {"Gold", "Silver"}
    assert names(admin_client.get(url, {"department": department.pk})) == ["Gold"]
    assert names(admin_client.get(url, {"is_active": "false"})) == ["Silver"]
    page = admin_client.get(url).content.decode()
    # not a yes/no/"Unknown" select
    assert '<option value="" selected>Active or not</option>' in page
    assert '<option value="" selected>Any</option>' in page  # the department's empty choice


def test_list_and_detail_query_counts_stay_flat(
    admin_client, department, django_assert_max_num_queries
):
    def make(n):
        for _ in range(n):
            sla = f.SLAFactory(department=department)
            f.SupportPlanFactory(department=department, sla=sla)

    make(3)
    url = reverse("sla:sla_list")
    with django_assert_max_num_queries(30) as small:
        admin_client.get(url)
    make(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(url)
    sla = SLA.objects.first()
    with django_assert_max_num_queries(30) as detail:
        admin_client.get(sla.get_absolute_url())
    assert len(detail.captured_queries) < 30


def test_detail_history_says_who_changed_what_in_constant_queries(admin_client, department):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sla = f.SLAFactory(department=department, name="Gold")

    def rename(times):
        for n in range(times):
            sla.name = f"Gold {n}"
            sla.save()

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(sla.get_absolute_url())
        return len(queries), response.content.decode()

    count()  # the session's first page also reads the user's preferences
    rename(3)
    few, html = count()
    assert "Name: Gold 1 → Gold 2" in html
    rename(30)
    assert count()[0] == few


def test_a_posted_form_cannot_ask_for_endless_periods(administrator, department):
    data = valid_data(department, monday_start_99="09:00", monday_end_99="10:00")
    form = SLAForm(data, user=administrator)
    assert list(form.period_numbers) == list(range(1, SLAForm.MOST_PERIODS_PER_DAY + 1))
    assert form.is_valid()  # the 99th period is no field of the form: it is ignored
    assert [p for p in form.periods() if p[0] == 0 and p[1]] == [
        (0, datetime.time(9), datetime.time(18))
    ]


def test_detail_lists_targets_urgent_first_in_hours_and_minutes(admin_client, department):
    sla = f.SLAFactory(department=department)  # the factory's targets, created low first
    SLATarget.objects.filter(sla=sla, priority=Priority.URGENT).update(response_minutes=90)
    html = admin_client.get(reverse("sla:sla_detail", args=[sla.pk])).content.decode()
    targets = html.split('id="sla-targets"')[1].split("</table>")[0]
    order = [targets.index(f"<td>{label}</td>") for label in ("Urgent", "High", "Medium", "Low")]
    assert order == sorted(order)
    assert "<td>Urgent</td><td>1 h 30 min</td><td>4 h</td>" in targets
    assert "<td>Medium</td><td>4 h</td><td>72 h</td>" in targets  # never "3 d"


def test_the_form_lists_priorities_urgent_first(administrator):
    labels = [str(label) for label, _fields in SLAForm(user=administrator).target_rows()]
    assert labels == ["Urgent", "High", "Medium", "Low"]


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (30, "30 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (2880, "48 h"),
        (1501, "25 h 1 min"),
    ],
)
def test_spans_are_hours_and_minutes_never_days(minutes, text):
    from sla.templatetags.sla_tags import minutes_span

    assert minutes_span(minutes) == text


# -- several escalation levels per save; links back and Cancel (issue 16) -------------------------


def cancel_links(html: str) -> list[str]:
    """Where the page's Cancel links go."""
    return re.findall(r'<a [^>]*href="([^"]*)"[^>]*>Cancel</a>', html)


def level_rows(*levels, initial=0, blank=0):
    """Escalation rows as the form posts them: ``(target, minutes, when, action, user)`` filled
    in, then ``blank`` untouched rows."""
    data = {
        "levels-TOTAL_FORMS": str(len(levels) + blank),
        "levels-INITIAL_FORMS": str(initial),
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "1000",
    }
    for index, (target, minutes, when, action, user) in enumerate(levels):
        data[f"levels-{index}-target"] = target
        data[f"levels-{index}-minutes"] = str(minutes)
        data[f"levels-{index}-when"] = when
        data[f"levels-{index}-action"] = action
        field = "notify_users" if action == "notify" else "reassign_to"
        data[f"levels-{index}-{field}"] = [str(user.pk)] if action == "notify" else str(user.pk)
    for index in range(len(levels), len(levels) + blank):
        data.update(
            {
                f"levels-{index}-target": "",
                f"levels-{index}-minutes": "0",
                f"levels-{index}-when": "after",
                f"levels-{index}-action": "",
            }
        )
    return data


def test_the_form_offers_two_blank_levels_and_an_add_another_button(admin_client, department):
    sla = f.SLAFactory(department=department)
    EscalationLevel.objects.create(sla=sla, level=1, target="response", action="raise_priority")
    for url, forms in ((CREATE, 2), (reverse("sla:sla_edit", args=[sla.pk]), 3)):
        page = admin_client.get(url)
        assert len(page.context["formset"].forms) == forms, url
        html = page.content.decode()
        # without script, the blank rows; with it, the button copies the template's empty row
        assert 'data-formset-add="levels" hidden>Add another level</button>' in html
        assert '<template id="levels-empty">' in html and 'name="levels-__prefix__-target"' in html
        assert 'src="/static/js/formset_rows.js"' in html


def test_two_escalation_levels_are_added_in_one_save(admin_client, department, agent):
    data = valid_data(
        department,
        **level_rows(
            ("response", 30, "before", "notify", agent),
            ("resolution", 60, "after", "reassign", agent),
            blank=1,
        ),
    )
    response = admin_client.post(CREATE, data)
    sla = SLA.objects.get()
    assert response.status_code == 302
    levels = list(sla.escalation_levels.order_by("level"))
    assert [(lvl.level, lvl.target, lvl.offset_minutes, lvl.action) for lvl in levels] == [
        (1, "response", -30, "notify"),
        (2, "resolution", 60, "reassign"),
    ]
    assert list(levels[0].notify_users.all()) == [agent] and levels[1].reassign_to == agent


def test_rows_added_by_the_script_past_the_blank_ones_are_saved_too(
    admin_client, department, agent
):
    """An edit keeps level 1 and adds levels 2 to 4: the form shows 1 + 2 blank rows, the
    script adds one more (TOTAL_FORMS 4)."""
    sla = f.SLAFactory(department=department)
    EscalationLevel.objects.create(sla=sla, level=1, target="response", action="raise_priority")
    url = reverse("sla:sla_edit", args=[sla.pk])
    data = valid_data(
        department,
        name=sla.name,
        **level_rows(
            ("response", 0, "after", "raise_priority", agent),
            ("response", 15, "after", "notify", agent),
            ("resolution", 30, "before", "notify", agent),
            ("resolution", 0, "after", "reassign", agent),
            initial=1,
        ),
    )
    assert admin_client.post(url, data).status_code == 302
    assert list(sla.escalation_levels.order_by("level").values_list("level", "action")) == [
        (1, "raise_priority"),
        (2, "notify"),
        (3, "notify"),
        (4, "reassign"),
    ]


def test_a_bad_level_among_several_saves_none(admin_client, department, agent):
    data = valid_data(
        department,
        **level_rows(
            ("response", 30, "before", "notify", agent),
            ("resolution", 60, "after", "reassign", agent),
        ),
    )
    data.pop("levels-1-reassign_to")
    response = admin_client.post(CREATE, data)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["reassign_to"]
    assert not SLA.objects.exists() and not EscalationLevel.objects.exists()


def test_the_sla_pages_link_back_to_their_list_and_to_settings(admin_client, department):
    sla = f.SLAFactory(department=department)
    sla_list, settings_url = reverse("sla:sla_list"), reverse("settings")
    edit = reverse("sla:sla_edit", args=[sla.pk])
    for url, back, cancel in (
        (sla_list, settings_url, None),
        (sla.get_absolute_url(), sla_list, None),
        (CREATE, sla_list, sla_list),
        (edit, sla.get_absolute_url(), sla.get_absolute_url()),
    ):
        page = admin_client.get(url).content.decode()
        found = re.findall(r'<a href="([^"]*)"[^>]*id="back-link"', page)
        assert found == [back], url
        assert f'href="{settings_url}"' in page, url
        assert cancel_links(page) == ([cancel] if cancel else []), url
