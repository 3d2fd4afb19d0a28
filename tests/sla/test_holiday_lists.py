"""Holiday lists under Settings > Automation > SLAs (issue 16): shared by the SLAs of every
department, edited with several days per save, written through the services (pages and back
office alike), refused while in use, and recorded in the history of the SLAs that use them."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from desk.access import NOT_PERMITTED
from desk.choices import Priority
from desk.validators import DATE_TOO_LATE, LATEST_DATE
from sla import services
from sla.models import SLA, Holiday, HolidayList
from tests import factories as f
from tests.concurrency import run_together, saved_meanwhile
from tests.conftest import signed_in
from tests.sla.conftest import shanghai
from tests.sla.test_views import cancel_links
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

LIST = reverse("sla:holiday_list_list")
CREATE = reverse("sla:holiday_list_create")
MAY_1 = datetime.date(2026, 5, 1)
MAY_2 = datetime.date(2026, 5, 2)
OCT_1 = datetime.date(2026, 10, 1)


def detail_url(holiday_list):
    return reverse("sla:holiday_list_detail", args=[holiday_list.pk])


def edit_url(holiday_list):
    return reverse("sla:holiday_list_edit", args=[holiday_list.pk])


def delete_url(holiday_list):
    return reverse("sla:holiday_list_delete", args=[holiday_list.pk])


def rows(*holidays, initial=0, blank=0):
    """The holiday rows as the form posts them: ``(date, name)`` or ``(date, name, delete)``
    filled in, then ``blank`` untouched rows."""
    data = {
        "holidays-TOTAL_FORMS": str(len(holidays) + blank),
        "holidays-INITIAL_FORMS": str(initial),
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
    }
    for index, (day, name, *delete) in enumerate(holidays):
        data[f"holidays-{index}-date"] = day.isoformat() if isinstance(day, datetime.date) else day
        data[f"holidays-{index}-name"] = name
        if delete and delete[0]:
            data[f"holidays-{index}-DELETE"] = "on"
    for index in range(len(holidays), len(holidays) + blank):
        data[f"holidays-{index}-date"] = ""
        data[f"holidays-{index}-name"] = ""
    return data


def days_of(holiday_list) -> list[tuple[datetime.date, str]]:
    return list(
        Holiday.objects.filter(holiday_list=holiday_list)
        .order_by("date")
        .values_list("date", "name")
    )


def back_link(html: str) -> str:
    """Where the page's way back (its breadcrumb's nearest link) goes."""
    found = re.findall(r'<a href="([^"]*)"[^>]*id="back-link"', html)
    assert len(found) == 1, found
    return found[0]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def automation_manager(username, departments):
    """Manage automation in ``departments`` only (not every department)."""
    user = f.UserFactory(username=username, departments=departments)
    user.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    return user


@pytest.fixture
def labour_day(db):
    holiday_list = HolidayList.objects.create(name="China 2026")
    Holiday.objects.create(holiday_list=holiday_list, date=MAY_1, name="Labour Day")
    return holiday_list


# -- pages ----------------------------------------------------------------------------------------


def test_settings_and_the_sla_pages_link_to_the_holiday_lists(admin_client, department, labour_day):
    sla = f.SLAFactory(department=department, holiday_list=labour_day)
    for url in (reverse("settings"), reverse("sla:sla_list")):
        assert f'href="{LIST}"' in admin_client.get(url).content.decode(), url
    page = admin_client.get(sla.get_absolute_url()).content.decode()
    assert f'href="{detail_url(labour_day)}"' in page  # the SLA's own list


def test_the_list_counts_days_and_slas_and_links_back_to_settings(
    admin_client, department, labour_day
):
    f.SLAFactory(department=department, holiday_list=labour_day)
    HolidayList.objects.create(name="Empty")
    response = admin_client.get(LIST)
    assert response.status_code == 200
    lists = {hl.name: (hl.holiday_count, hl.sla_count) for hl in response.context["holiday_lists"]}
    assert lists == {"China 2026": (1, 1), "Empty": (0, 0)}
    page = response.content.decode()
    assert f'href="{reverse("settings")}"' in page
    assert f'href="{CREATE}"' in page and f'href="{detail_url(labour_day)}"' in page


def test_create_a_list_with_two_days_in_one_save(admin_client):
    page = admin_client.get(CREATE)
    assert page.status_code == 200
    assert len(page.context["formset"].forms) == 3  # blank rows: several days without script
    assert f'href="{LIST}"' in page.content.decode()  # Cancel

    data = {
        "name": "China 2026",
        **rows((MAY_1, "Labour Day"), (OCT_1, "National Day"), blank=1),
    }
    response = admin_client.post(CREATE, data)

    holiday_list = HolidayList.objects.get()
    assert response.status_code == 302 and response.url == detail_url(holiday_list)
    assert days_of(holiday_list) == [(MAY_1, "Labour Day"), (OCT_1, "National Day")]
    detail = admin_client.get(response.url).content.decode()
    assert "Labour Day" in detail and "National Day" in detail and "Holiday list saved." in detail


def test_the_detail_shows_the_days_and_the_slas_that_use_the_list(
    admin_client, department, labour_day
):
    sla = f.SLAFactory(department=department, name="Office hours", holiday_list=labour_day)
    response = admin_client.get(detail_url(labour_day))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'datetime="2026-05-01"' in page and "Labour Day" in page
    assert f'href="{sla.get_absolute_url()}"' in page
    assert f'href="{LIST}"' in page  # back to the lists
    assert f'href="{edit_url(labour_day)}"' in page


def test_edit_renames_adds_and_removes_days_in_one_save(admin_client, labour_day):
    page = admin_client.get(edit_url(labour_day))
    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "China 2026"
    assert f'href="{detail_url(labour_day)}"' in page.content.decode()  # Cancel

    data = {
        "name": "China 2026/27",
        **rows(
            (MAY_1, "Labour Day", True),
            (OCT_1, "National Day"),
            (datetime.date(2027, 1, 1), "New Year"),
            initial=1,
            blank=1,
        ),
    }
    response = admin_client.post(edit_url(labour_day), data)

    assert response.status_code == 302
    labour_day.refresh_from_db()
    assert labour_day.name == "China 2026/27"
    assert days_of(labour_day) == [(OCT_1, "National Day"), (datetime.date(2027, 1, 1), "New Year")]


def test_a_day_entered_twice_is_refused_on_the_page_and_nothing_is_saved(admin_client, labour_day):
    data = {
        "name": "Renamed",
        **rows((MAY_1, "Labour Day"), (OCT_1, "National Day"), (OCT_1, "Again"), initial=1),
    }
    response = admin_client.post(edit_url(labour_day), data)

    assert response.status_code == 200
    message = services.HOLIDAY_DATE_TWICE % {"date": "2026-10-01"}
    assert response.context["formset"].non_form_errors() == [message]
    assert message in response.content.decode()
    labour_day.refresh_from_db()
    assert labour_day.name == "China 2026" and days_of(labour_day) == [(MAY_1, "Labour Day")]


def test_a_date_out_of_range_is_refused_on_its_row(admin_client):
    data = {"name": "Far", **rows((MAY_1, ""), ("9999-12-31", "Too late"))}
    response = admin_client.post(CREATE, data)
    assert response.status_code == 200
    errors = response.context["formset"].forms[1].errors["date"]
    assert errors == [DATE_TOO_LATE % {"limit": LATEST_DATE.isoformat()}]
    assert not HolidayList.objects.exists()


def test_a_taken_name_gets_the_duplicate_message(admin_client, labour_day):
    response = admin_client.post(CREATE, {"name": "China 2026", **rows((MAY_2, ""))})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert HolidayList.objects.count() == 1


def test_delete_an_unused_list(admin_client, labour_day):
    response = admin_client.post(delete_url(labour_day))
    assert response.status_code == 302 and response.url == LIST
    assert not HolidayList.objects.exists() and not Holiday.objects.exists()


def test_deleting_a_list_in_use_is_refused_with_a_message(admin_client, department, labour_day):
    f.SLAFactory(department=department, holiday_list=labour_day)
    page = admin_client.get(detail_url(labour_day)).content.decode()
    assert "disabled" in page.split(f'action="{delete_url(labour_day)}"')[1].split("</form>")[0]

    response = admin_client.post(delete_url(labour_day), follow=True)

    assert HolidayList.objects.filter(pk=labour_day.pk).exists()
    assert response.redirect_chain[-1][0] == detail_url(labour_day)
    expected = services.HOLIDAY_LIST_IN_USE % {"count": 1}
    assert messages_of(response) == [expected]
    assert "cannot be deleted" in response.content.decode()


def test_an_agent_without_manage_automation_gets_403_everywhere(
    agent_client, department, labour_day
):
    for url in (LIST, CREATE, detail_url(labour_day), edit_url(labour_day)):
        assert agent_client.get(url).status_code == 403, url
    assert agent_client.post(CREATE, {"name": "Sneaky", **rows((MAY_2, ""))}).status_code == 403
    forged = {"name": "Renamed", **rows((MAY_2, ""))}
    assert agent_client.post(edit_url(labour_day), forged).status_code == 403
    assert agent_client.post(delete_url(labour_day)).status_code == 403
    assert list(HolidayList.objects.values_list("name", flat=True)) == ["China 2026"]
    assert days_of(labour_day) == [(MAY_1, "Labour Day")]


def test_a_missing_list_is_404(admin_client):
    missing = HolidayList(pk=999999)
    for url in (detail_url(missing), edit_url(missing)):
        assert admin_client.get(url).status_code == 404, url
    assert admin_client.post(delete_url(missing)).status_code == 404


def test_an_sla_of_another_department_keeps_its_list_from_a_department_manager(
    department, other_department, labour_day
):
    """The list is shared, but its days are business time of every SLA that uses it: only
    someone who works in all their departments changes it."""
    f.SLAFactory(department=other_department, name="Hardware SLA", holiday_list=labour_day)
    client = signed_in(automation_manager("manager", [department]))

    detail = client.get(detail_url(labour_day))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Hardware SLA" not in page
    assert "1 SLA of a department you do not work in" in page

    response = client.post(edit_url(labour_day), {"name": "Mine", **rows((MAY_2, ""))})
    assert response.status_code == 200
    assert str(services.HOLIDAY_LIST_OTHER_DEPARTMENTS) in response.content.decode()
    labour_day.refresh_from_db()
    assert labour_day.name == "China 2026" and days_of(labour_day) == [(MAY_1, "Labour Day")]


def test_every_holiday_list_page_links_back_and_every_form_cancels(admin_client, labour_day):
    settings_url, sla_list = reverse("settings"), reverse("sla:sla_list")
    for url, back, cancel in (
        (LIST, sla_list, None),
        (detail_url(labour_day), LIST, None),
        (CREATE, LIST, LIST),
        (edit_url(labour_day), detail_url(labour_day), detail_url(labour_day)),
    ):
        page = admin_client.get(url).content.decode()
        assert back_link(page) == back, url
        assert f'href="{settings_url}"' in page, url  # the breadcrumb starts at Settings
        assert cancel_links(page) == ([cancel] if cancel else []), url


def test_the_forms_add_rows_with_a_script_file_and_no_inline_script(admin_client, labour_day):
    for url in (CREATE, edit_url(labour_day), reverse("sla:sla_create")):
        page = admin_client.get(url).content.decode()
        assert 'src="/static/js/formset_rows.js"' in page, url
        assert "<script>" not in page and " style=" not in page, url
        assert "data-formset-add=" in page and "__prefix__" in page, url


# -- services -------------------------------------------------------------------------------------


def test_services_create_update_and_delete(administrator):
    holiday_list = services.holiday_list_create(
        by=administrator,
        name="  China 2026 ",
        holidays=[services.HolidayInput(OCT_1, "National Day"), services.HolidayInput(MAY_1)],
    )
    assert holiday_list.name == "China 2026"
    assert days_of(holiday_list) == [(MAY_1, ""), (OCT_1, "National Day")]
    kept = Holiday.objects.get(holiday_list=holiday_list, date=OCT_1).pk

    services.holiday_list_update(
        by=administrator,
        holiday_list=holiday_list,
        name="China",
        holidays=[services.HolidayInput(OCT_1, "Golden Week"), services.HolidayInput(MAY_2)],
    )

    holiday_list.refresh_from_db()
    assert holiday_list.name == "China"
    assert days_of(holiday_list) == [(MAY_2, ""), (OCT_1, "Golden Week")]
    assert Holiday.objects.get(holiday_list=holiday_list, date=OCT_1).pk == kept  # updated

    services.holiday_list_delete(by=administrator, holiday_list=holiday_list)
    assert not HolidayList.objects.exists() and not Holiday.objects.exists()


@pytest.mark.parametrize(
    ("holidays", "message"),
    [
        (
            [(MAY_1, "a"), (MAY_2, "b"), (MAY_1, "c")],
            services.HOLIDAY_DATE_TWICE % {"date": "2026-05-01"},
        ),
        ([(MAY_1, ""), (None, "No day")], services.HOLIDAY_DATE_MISSING % {"row": 2}),
        (
            [(datetime.date(9999, 12, 31), "")],
            services.HOLIDAY_INVALID
            % {
                "date": "9999-12-31",
                "message": DATE_TOO_LATE % {"limit": LATEST_DATE.isoformat()},
            },
        ),
        (
            [(MAY_1, "x" * 101)],
            services.HOLIDAY_INVALID
            % {
                "date": "2026-05-01",
                "message": "Ensure this value has at most 100 characters (it has 101).",
            },
        ),
    ],
    ids=["twice", "no date", "out of range", "name too long"],
)
def test_a_bad_row_is_refused_with_a_clear_message_and_saves_nothing(
    administrator, department, labour_day, holidays, message
):
    sla = f.SLAFactory(department=department, holiday_list=labour_day)
    history = sla.history.count()
    with pytest.raises(ValidationError) as refused:
        services.holiday_list_update(
            by=administrator,
            holiday_list=labour_day,
            name="Renamed",
            holidays=[services.HolidayInput(day, name) for day, name in holidays],
        )
    assert refused.value.message_dict == {"holidays": [message]}
    labour_day.refresh_from_db()
    assert labour_day.name == "China 2026" and days_of(labour_day) == [(MAY_1, "Labour Day")]
    assert sla.history.count() == history


def test_a_bad_row_on_create_saves_no_list(administrator):
    with pytest.raises(ValidationError):
        services.holiday_list_create(
            by=administrator,
            name="China 2026",
            holidays=[services.HolidayInput(MAY_1), services.HolidayInput(MAY_1)],
        )
    assert not HolidayList.objects.exists() and not Holiday.objects.exists()


def test_an_empty_or_taken_name_is_refused(administrator, labour_day):
    with pytest.raises(ValidationError) as empty:
        services.holiday_list_create(by=administrator, name="  ", holidays=[])
    assert list(empty.value.message_dict) == ["name"]
    with pytest.raises(ValidationError) as taken:
        services.holiday_list_create(by=administrator, name="China 2026", holidays=[])
    assert taken.value.message_dict == {"name": ["Holiday list with this Name already exists."]}
    assert HolidayList.objects.count() == 1


def test_a_list_created_while_its_name_is_saved_gets_the_duplicate_message(
    monkeypatch, administrator
):
    saved_meanwhile(monkeypatch, HolidayList, HolidayList(name="China 2026").save)
    with pytest.raises(ValidationError) as refused:
        services.holiday_list_create(by=administrator, name="China 2026", holidays=[])
    assert refused.value.message_dict == {"name": ["Holiday list with this Name already exists."]}
    assert not HolidayList.objects.exists()  # the rival rolled back with the refused save


def test_the_services_ask_for_manage_automation(agent, labour_day):
    with pytest.raises(PermissionDenied):
        services.holiday_list_create(by=agent, name="Sneaky", holidays=[])
    with pytest.raises(PermissionDenied):
        services.holiday_list_update(by=agent, holiday_list=labour_day, name="x", holidays=[])
    with pytest.raises(PermissionDenied):
        services.holiday_list_delete(by=agent, holiday_list=labour_day)
    assert list(HolidayList.objects.values_list("name", flat=True)) == ["China 2026"]


def test_deleting_a_list_in_use_is_refused(administrator, department, labour_day):
    f.SLAFactory(department=department, holiday_list=labour_day)
    f.SLAFactory(department=department, holiday_list=labour_day)
    with pytest.raises(ValidationError) as refused:
        services.holiday_list_delete(by=administrator, holiday_list=labour_day)
    assert refused.value.messages == [services.HOLIDAY_LIST_IN_USE % {"count": 2}]
    assert HolidayList.objects.filter(pk=labour_day.pk).exists()


def test_a_department_manager_changes_a_list_only_their_departments_use(
    department, other_department, labour_day
):
    manager = automation_manager("manager", [department])
    f.SLAFactory(department=department, holiday_list=labour_day)
    services.holiday_list_update(
        by=manager, holiday_list=labour_day, name="Ours", holidays=[services.HolidayInput(MAY_2)]
    )
    f.SLAFactory(department=other_department, holiday_list=labour_day)
    with pytest.raises(ValidationError) as refused:
        services.holiday_list_update(by=manager, holiday_list=labour_day, name="x", holidays=[])
    assert refused.value.messages == [str(services.HOLIDAY_LIST_OTHER_DEPARTMENTS)]
    labour_day.refresh_from_db()
    assert labour_day.name == "Ours" and days_of(labour_day) == [(MAY_2, "")]


# -- the SLAs that use the list -------------------------------------------------------------------


def test_a_change_of_days_is_recorded_in_the_history_of_each_sla_using_the_list(
    administrator, admin_client, department, labour_day
):
    slas = [f.SLAFactory(department=department, holiday_list=labour_day) for _ in range(2)]
    unrelated = f.SLAFactory(department=department)
    before = {sla.pk: sla.history.count() for sla in [*slas, unrelated]}

    services.holiday_list_update(
        by=administrator,
        holiday_list=labour_day,
        name="China 2026",
        holidays=[services.HolidayInput(MAY_2, "Labour Day"), services.HolidayInput(OCT_1)],
    )

    reason = "Holidays of China 2026: added 2026-05-02, 2026-10-01; removed 2026-05-01"
    for sla in slas:
        assert sla.history.count() == before[sla.pk] + 1
        latest = sla.history.first()
        assert (latest.history_change_reason, latest.history_user) == (reason, administrator)
    assert unrelated.history.count() == before[unrelated.pk]
    assert reason in admin_client.get(slas[0].get_absolute_url()).content.decode()


def test_renaming_the_list_or_its_days_changes_no_sla_history(
    administrator, department, labour_day
):
    sla = f.SLAFactory(department=department, holiday_list=labour_day)
    before = sla.history.count()
    services.holiday_list_update(
        by=administrator,
        holiday_list=labour_day,
        name="Renamed",
        holidays=[services.HolidayInput(MAY_1, "May Day")],
    )
    assert sla.history.count() == before
    assert days_of(labour_day) == [(MAY_1, "May Day")]


def test_a_long_change_is_cut_to_the_length_history_keeps(administrator, department, labour_day):
    sla = f.SLAFactory(department=department, holiday_list=labour_day)
    days = [datetime.date(2026, 6, day) for day in range(1, 21)]
    services.holiday_list_update(
        by=administrator,
        holiday_list=labour_day,
        name=labour_day.name,
        holidays=[services.HolidayInput(day) for day in days],
    )
    reason = sla.history.first().history_change_reason
    assert len(reason) == services.REASON_MAX and reason.endswith("…")


def create_high(contract, agent):
    return ticket_services.ticket_create(
        by=agent,
        subject="Line down",
        account=contract.account,
        department=contract.support_plan.department,
        priority=Priority.HIGH,
    )


def test_a_holiday_added_on_a_running_tickets_due_day_moves_its_due_times_when_next_computed(
    office_contract, holidays, agent, administrator, clock
):
    """Friday 17:30, High (1 h / 8 h, Mon–Fri 09:00–18:00 Shanghai): due Monday. Monday made a
    holiday: the ticket's due times move to Tuesday when they are next computed (here a change
    of priority and back), and a ticket opened now is due Tuesday at once.

    Saving the list does not rewrite the due times already stored on open tickets: neither does
    saving an SLA's business hours (``sla_update``), and both doors keep the same rule."""
    clock(shanghai(2026, 3, 6, 17, 30))
    ticket = create_high(office_contract, agent)
    assert ticket.response_due_at == shanghai(2026, 3, 9, 9, 30)

    services.holiday_list_update(
        by=administrator,
        holiday_list=holidays,
        name=holidays.name,
        holidays=[services.HolidayInput(datetime.date(2026, 3, 9), "Bridge day")],
    )

    ticket = ticket_services.ticket_update(by=agent, ticket=ticket, priority=Priority.URGENT)
    ticket = ticket_services.ticket_update(by=agent, ticket=ticket, priority=Priority.HIGH)
    assert ticket.response_due_at == shanghai(2026, 3, 10, 9, 30)
    assert ticket.resolution_due_at == shanghai(2026, 3, 10, 16, 30)
    assert create_high(office_contract, agent).response_due_at == shanghai(2026, 3, 10, 9, 30)


# -- the back office ------------------------------------------------------------------------------


ADMIN_LIST = "/admin/sla/holidaylist/"


def test_the_back_office_reads_holiday_lists_and_links_to_their_page(
    back_office_client, labour_day
):
    assert back_office_client.get(ADMIN_LIST).status_code == 200
    assert back_office_client.get(ADMIN_LIST + "add/").status_code == 403
    change = f"{ADMIN_LIST}{labour_day.pk}/change/"
    response = back_office_client.get(change)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert "name" not in response.context["adminform"].form.fields
    assert f'href="{detail_url(labour_day)}"' in response.content.decode()  # View on site
    forged = {"name": "Renamed", "initial-name": "China 2026"}
    assert back_office_client.post(change, forged).status_code == 403
    labour_day.refresh_from_db()
    assert labour_day.name == "China 2026"


def test_the_back_office_deletes_an_unused_list_through_the_service(
    back_office_client, department, labour_day
):
    unused = HolidayList.objects.create(name="Unused")
    f.SLAFactory(department=department, holiday_list=labour_day)

    response = back_office_client.post(f"{ADMIN_LIST}{labour_day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # Django's "Cannot delete" page: an SLA protects it
    assert HolidayList.objects.filter(pk=labour_day.pk).exists()

    response = back_office_client.post(f"{ADMIN_LIST}{unused.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not HolidayList.objects.filter(pk=unused.pk).exists()


def test_a_back_office_delete_the_service_refuses_says_why(department, labour_day):
    """Staff with the model's delete permission but not *Manage automation*: the service
    refuses, and the list stays."""
    staff = f.AgentFactory(username="staff-agent", is_staff=True, departments=[department])
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_holidaylist", "delete_holidaylist"])
    )
    response = signed_in(staff).post(f"{ADMIN_LIST}{labour_day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert messages_of(response) == [str(NOT_PERMITTED)]
    assert HolidayList.objects.filter(pk=labour_day.pk).exists()


# -- concurrency (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_adding_the_same_day_at_once_never_collide():
    """Two saves of one list at once: the second waits for the first (the list's row lock),
    then finds its day and keeps it; never a unique key's refusal (a 500)."""
    admin = f.desk_admin()
    holiday_list = HolidayList.objects.create(name="China 2026")

    def add(name):
        return lambda: services.holiday_list_update(
            by=admin,
            holiday_list=holiday_list,
            name="China 2026",
            holidays=[services.HolidayInput(MAY_1, name)],
        )

    for attempt in range(5):
        Holiday.objects.all().delete()
        errors = run_together(add("Labour Day"), add("May Day"))
        assert errors == [], attempt
        assert [day for day, _name in days_of(holiday_list)] == [MAY_1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_of_days_and_an_sla_edit_at_once_both_land():
    """The list is locked before the SLAs that use it; an SLA edit waits or goes first, and
    the SLA's history gets the list's record either way."""
    department = f.DepartmentFactory(name="Support")
    admin = f.desk_admin()
    holiday_list = HolidayList.objects.create(name="China 2026")
    sla = f.SLAFactory(department=department, name="Gold", holiday_list=holiday_list)
    targets = dict.fromkeys(Priority.values, (60, 480))

    def change_days():
        services.holiday_list_update(
            by=admin,
            holiday_list=holiday_list,
            name="China 2026",
            holidays=[services.HolidayInput(MAY_1)],
        )

    def rename_sla():
        services.sla_update(
            by=admin,
            sla=sla,
            department=department,
            name="Platinum",
            business_hours="24x7",
            time_zone="UTC",
            targets=targets,
            holiday_list=holiday_list,
        )

    assert run_together(change_days, rename_sla) == []
    stored = SLA.objects.get(pk=sla.pk)
    assert stored.name == "Platinum" and days_of(holiday_list) == [(MAY_1, "")]
    assert stored.history.filter(history_change_reason__startswith="Holidays of").count() == 1
