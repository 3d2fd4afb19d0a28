"""The email template pages (SPEC section 10): list, new, edit, delete (refused while rules send
the template), the placeholders listed beside the form, and *Preview*, which renders the subject
and text for the department's newest record and saves nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from automation import services
from automation.models import EmailTemplate, Module, Rule
from automation.views.email_templates import SAMPLE_VALUES
from desk.models import Preferences
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

LIST = "/settings/automation/email-templates/"
NEW = LIST + "new/"


def data(department, **fields) -> dict:
    return {
        "department": str(department.pk),
        "module": "tickets",
        "name": "Urgent alert",
        "subject": "Urgent: {ticket.subject}",
        "body": "Ticket {ticket.number} of {account.name}, plan {plan.name}.",
        **fields,
    }


def make_template(by, department, module=Module.TICKETS, name="Alert"):
    subject = "{ticket.subject}" if module == Module.TICKETS else "{contract.name}"
    return services.template_create(
        by=by, department=department, module=module, name=name, subject=subject, body="Hi"
    )


def test_create_a_template_through_the_page(admin_client, department):
    response = admin_client.post(NEW, data(department))
    assert response.status_code == 302
    assert response.url == LIST
    template = EmailTemplate.objects.get()
    assert (template.department, template.module, template.name) == (
        department,
        "tickets",
        "Urgent alert",
    )
    page = admin_client.get(LIST).content.decode()
    assert "Urgent alert" in page and "Urgent: {ticket.subject}" in page


def test_the_form_lists_the_placeholders_of_the_module(admin_client, administrator, department):
    page = admin_client.get(NEW + "?module=contracts").content.decode()
    assert "{contract.number}" in page and "{credits.left}" in page
    assert "{ticket.subject}" not in page
    template = make_template(administrator, department)
    page = admin_client.get(reverse("automation:template_edit", args=[template.pk]))
    text = page.content.decode()
    assert "{ticket.subject}" in text and "the ticket&#x27;s subject" in text
    # A new template without a module chosen lists both modules' placeholders.
    lists = admin_client.get(NEW).context["placeholder_lists"]
    assert [item["module"] for item in lists] == ["tickets", "contracts"]


def test_an_unknown_placeholder_is_refused(admin_client, department):
    response = admin_client.post(NEW, data(department, body="Hello {ticket.mood}"))
    assert response.status_code == 200
    message = "Unknown placeholder(s): {ticket.mood}. Use those listed beside the form."
    assert response.context["form"].errors["body"] == [message]
    assert message in response.content.decode()
    assert not EmailTemplate.objects.exists()
    # A contract template offers no ticket placeholder.
    response = admin_client.post(NEW, data(department, module="contracts"))
    assert (
        "Unknown placeholder(s): {ticket.subject}" in response.context["form"].errors["subject"][0]
    )
    assert not EmailTemplate.objects.exists()


def test_preview_renders_the_newest_ticket_and_saves_nothing(
    admin_client, administrator, department
):
    plan = f.SupportPlanFactory(department=department, name="Gold")
    contract = f.ContractFactory(support_plan=plan)
    f.TicketFactory(department=department, subject="Older one", account=contract.account)
    newest = f.TicketFactory(
        department=department,
        subject="Printer on fire",
        account=contract.account,
        contract=contract,
    )
    response = admin_client.post(NEW, data(department, name="", preview="1"))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["record"] == newest
    assert preview["subject"] == "Urgent: Printer on fire"
    assert preview["body"] == (f"Ticket #{newest.pk} of {contract.account.name}, plan Gold.")
    page = response.content.decode()
    assert "Urgent: Printer on fire" in page
    assert "nothing is saved" in page.lower()
    assert "name" not in response.context["form"].errors  # a preview needs no name yet
    assert not EmailTemplate.objects.exists()


def test_preview_without_a_record_uses_sample_values(admin_client, department):
    response = admin_client.post(NEW, data(department, preview="1"))
    preview = response.context["preview"]
    assert preview["record"] is None
    assert preview["subject"] == f"Urgent: {SAMPLE_VALUES['ticket.subject']}"
    assert not EmailTemplate.objects.exists()


def test_preview_of_a_contract_template_and_an_unknown_placeholder(admin_client, department):
    plan = f.SupportPlanFactory(
        department=department,
        name="Ten a month",
        plan_type="ticket_based",
        credit_cycle="monthly",
        credit_limit=10,
    )
    contract = f.ContractFactory(support_plan=plan, contract_number="C-42")
    response = admin_client.post(
        NEW,
        data(
            department,
            module="contracts",
            subject="{contract.number}: {credits.left} left {contract.mood}",
            body="{plan.name}",
            preview="1",
        ),
    )
    preview = response.context["preview"]
    assert preview["record"] == contract
    assert preview["subject"] == "C-42: 10 left {contract.mood}"
    assert (
        "Unknown placeholder(s): {contract.mood}" in response.context["form"].errors["subject"][0]
    )
    assert not EmailTemplate.objects.exists()


def test_preview_is_in_the_users_language(administrator, department):
    Preferences.objects.update_or_create(user=administrator, defaults={"language": "zh-hans"})
    f.TicketFactory(department=department, subject="Down", priority="urgent")
    client = signed_in(administrator)
    response = client.post(NEW, data(department, subject="{ticket.priority}", preview="1"))
    with translation.override("zh-hans"):
        expected = str(translation.gettext("Urgent"))
    assert response.context["preview"]["subject"] == expected


def test_edit_keeps_department_and_module_and_saves(admin_client, administrator, department):
    template = make_template(administrator, department)
    address = reverse("automation:template_edit", args=[template.pk])
    response = admin_client.post(
        address, data(department, module="contracts", name="Renamed", subject="{ticket.number}")
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.subject, template.module) == (
        "Renamed",
        "{ticket.number}",
        "tickets",
    )
    # A preview on the edit form changes nothing.
    admin_client.post(address, data(department, name="Not saved", preview="1"))
    template.refresh_from_db()
    assert template.name == "Renamed"


def test_delete_is_refused_while_a_rule_sends_it(admin_client, administrator, department):
    template = make_template(administrator, department)
    rule = services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="Sender",
        trigger=Rule.Trigger.CREATED,
        alert_template=template,
        alert_assignee=True,
    )
    address = reverse("automation:template_delete", args=[template.pk])
    page = admin_client.get(address).content.decode()
    assert "Sender" in page
    response = admin_client.post(address, follow=True)
    assert str(services.TEMPLATE_IN_USE) in response.content.decode()
    assert EmailTemplate.objects.filter(pk=template.pk).exists()

    rule.delete()
    response = admin_client.post(address)
    assert response.status_code == 302 and response.url == LIST
    assert not EmailTemplate.objects.exists()


def test_another_departments_template_answers_404(administrator, department, other_department):
    from django.contrib.auth.models import Permission

    lead = f.AgentFactory(username="lead", departments=[department])
    lead.user_permissions.add(
        Permission.objects.get(content_type__app_label="desk", codename="manage_automation")
    )
    template = make_template(administrator, other_department, name="Hardware alert")
    client = signed_in(lead)
    assert "Hardware alert" not in client.get(LIST).content.decode()
    for name in ("template_edit", "template_delete"):
        address = reverse(f"automation:{name}", args=[template.pk])
        assert client.get(address).status_code == 404
        assert client.post(address, data(other_department)).status_code == 404
    response = client.post(NEW, data(other_department))
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert EmailTemplate.objects.count() == 1


def test_an_agent_gets_403_and_forged_posts_change_nothing(agent_client, administrator, department):
    template = make_template(administrator, department, name="Kept")
    for address, payload in (
        (NEW, data(department)),
        (NEW, data(department, preview="1")),
        (reverse("automation:template_edit", args=[template.pk]), data(department)),
        (reverse("automation:template_delete", args=[template.pk]), {}),
    ):
        assert agent_client.get(address).status_code == 403
        assert agent_client.post(address, payload).status_code == 403
    template.refresh_from_db()
    assert template.name == "Kept"
    assert EmailTemplate.objects.count() == 1
