"""A workflow rule's criteria (SPEC section 10): each operator on each kind of field, each field
read from a ticket or a contract, the pattern that joins the rows, and the messages a person
gets for a criterion that cannot be kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from automation import criteria
from automation.criteria import (
    CONTRACT_FIELDS,
    KIND_OPERATORS,
    OPERATORS,
    TICKET_FIELDS,
    Facts,
    clean_criteria,
    compare,
    evaluate,
    parse_pattern,
)
from automation.models import Module, Rule
from contracts import credits
from desk.choices import Priority, Status
from plans.models import SupportPlan
from tests import factories as f
from tickets.services import ticket_create, ticket_update

# --- operators ------------------------------------------------------------------------------

# (kind, operator, the record's value, the criterion's value, holds)
CASES = [
    # text: without regard to case
    ("text", "is", "Printer", "printer", True),
    ("text", "is", "Straße", "STRASSE", True),
    ("text", "is", "Printer", "scanner", False),
    ("text", "is_not", "Printer", "PRINTER", False),
    ("text", "is_not", "Printer", "scanner", True),
    ("text", "contains", "Printer jam", "JAM", True),
    ("text", "contains", "Printer jam", "scan", False),
    ("text", "not_contains", "Printer jam", "Jam", False),
    ("text", "not_contains", "Printer jam", "scan", True),
    ("text", "starts_with", "Printer jam", "PRINT", True),
    ("text", "starts_with", "Printer jam", "jam", False),
    ("text", "empty", "", None, True),
    ("text", "empty", "x", None, False),
    ("text", "not_empty", "x", None, True),
    ("text", "not_empty", "", None, False),
    # number
    ("number", "is", 3, 3, True),
    ("number", "is", 3, 4, False),
    ("number", "is_not", 3, 4, True),
    ("number", "is_not", 3, 3, False),
    ("number", "lt", 0, 1, True),
    ("number", "lt", 1, 1, False),
    ("number", "lt", -2, -1, True),
    ("number", "gt", 2, 1, True),
    ("number", "gt", 1, 1, False),
    ("number", "lte", 1, 1, True),
    ("number", "lte", 2, 1, False),
    ("number", "gte", 1, 1, True),
    ("number", "gte", 0, 1, False),
    ("number", "empty", None, None, True),
    ("number", "empty", 0, None, False),  # zero credits left is a value, not nothing
    ("number", "not_empty", 0, None, True),
    ("number", "not_empty", None, None, False),
    # choice
    ("choice", "is", "urgent", "urgent", True),
    ("choice", "is", "high", "urgent", False),
    ("choice", "is_not", "high", "urgent", True),
    ("choice", "is_not", "urgent", "urgent", False),
    # optional choice: may be empty (no contract, nobody assigned)
    ("optional_choice", "is", "5", "5", True),
    ("optional_choice", "is", None, "5", False),
    ("optional_choice", "is_not", None, "5", True),
    ("optional_choice", "is_not", "5", "5", False),
    ("optional_choice", "empty", None, None, True),
    ("optional_choice", "empty", "5", None, False),
    ("optional_choice", "not_empty", "5", None, True),
    ("optional_choice", "not_empty", None, None, False),
    # yes / no
    ("yes_no", "is", "yes", "yes", True),
    ("yes_no", "is", "no", "yes", False),
]

# Nothing (None): is empty, is not anything, contains nothing, is neither less nor more.
NOTHING = [
    ("is", "x", False),
    ("is_not", "x", True),
    ("contains", "x", False),
    ("starts_with", "x", False),
    ("lt", 5, False),
    ("gt", -5, False),
    ("lte", 5, False),
    ("gte", -5, False),
    ("is", 0, False),
]


@pytest.mark.parametrize(("kind", "operator", "actual", "expected", "holds"), CASES)
def test_each_operator_on_each_kind(kind, operator, actual, expected, holds):
    assert operator in KIND_OPERATORS[kind]
    assert compare(operator, actual, expected) is holds


def test_the_cases_try_every_operator_of_every_kind():
    tried = {(kind, operator) for kind, operator, *_rest in CASES}
    offered = {(kind, op) for kind, operators in KIND_OPERATORS.items() for op in operators}
    assert tried == offered
    assert {operator for _kind, operator in offered} == set(OPERATORS)


@pytest.mark.parametrize(("operator", "expected", "holds"), NOTHING)
def test_nothing_is_empty_and_matches_no_value(operator, expected, holds):
    assert compare(operator, None, expected) is holds


def test_each_field_offers_the_operators_of_its_kind_only():
    assert TICKET_FIELDS["priority"].operators == ["is", "is_not"]
    assert TICKET_FIELDS["assignee"].operators == ["is", "is_not", "empty", "not_empty"]
    assert TICKET_FIELDS["has_contract"].operators == ["is"]
    assert "lte" in TICKET_FIELDS["credits_left"].operators
    assert "contains" in TICKET_FIELDS["subject"].operators
    assert "contains" not in CONTRACT_FIELDS["owner"].operators


# --- a record's values ----------------------------------------------------------------------


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme Widgets")


@pytest.fixture
def plan(department):
    return f.SupportPlanFactory(
        department=department, name="Gold", ticket_based=True, credit_limit=5
    )


@pytest.fixture
def contract(plan, account):
    today = timezone.localdate()
    return f.ContractFactory(
        support_plan=plan,
        account=account,
        name="Acme support",
        contract_number="C-777",
        product_name="Router",
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
        owner=f.UserFactory(username="owner"),
    )


def ticket_values(ticket) -> dict:
    facts = Facts(Module.TICKETS, ticket)
    return {name: facts.value(name) for name in TICKET_FIELDS}


def test_every_ticket_field_is_read_from_the_ticket_its_contract_and_the_ledger(
    administrator, agent, department, account, contract, plan
):
    ticket = ticket_create(
        by=administrator,
        subject="Printer on fire",
        account=account,
        department=department,
        priority=Priority.URGENT,
        product_name="Router",
    )
    ticket = ticket_update(by=administrator, ticket=ticket, assignee=agent)
    # One credit spent by another ticket, two added by hand: 5 - 1 + 2 left.
    other = ticket_create(by=administrator, subject="Other", account=account, department=department)
    ticket_update(by=administrator, ticket=other, status=Status.RESOLVED)
    credits.adjust(by=administrator, contract=contract, delta=2, reason="Goodwill")

    assert ticket_values(ticket) == {
        "has_contract": "yes",
        "support_plan": str(plan.pk),
        "plan_type": SupportPlan.PlanType.TICKET_BASED,
        "credits_left": 6,
        "days_to_contract_end": 30,
        "sla": str(plan.sla_id),
        "priority": "urgent",
        "status": "open",
        "account": "Acme Widgets",
        "assignee": str(agent.pk),
        "product_name": "Router",
        "subject": "Printer on fire",
    }


def test_a_ticket_without_a_contract_has_empty_plan_values(administrator, department, account):
    ticket = ticket_create(
        by=administrator, subject="Hello", account=account, department=department
    )

    values = ticket_values(ticket)

    assert values["has_contract"] == "no"
    assert values["support_plan"] is None and values["plan_type"] is None
    assert values["credits_left"] is None and values["days_to_contract_end"] is None
    assert values["assignee"] is None
    assert compare("empty", values["credits_left"], None)
    assert compare("is_not", values["plan_type"], "ticket_based")


def test_an_unlimited_plan_has_no_credits_and_an_open_ended_contract_no_end(department, account):
    plan = f.SupportPlanFactory(department=department)  # unlimited
    contract = f.ContractFactory(support_plan=plan, account=account, end_date=None)

    facts = Facts(Module.CONTRACTS, contract)

    assert facts.value("plan_type") == SupportPlan.PlanType.UNLIMITED
    assert facts.value("credits_left") is None
    assert facts.value("days_to_contract_end") is None


def test_every_contract_field_is_read_from_the_contract(administrator, contract, plan, account):
    credits.adjust(by=administrator, contract=contract, delta=-4, reason="Used by phone")
    facts = Facts(Module.CONTRACTS, contract)

    assert {name: facts.value(name) for name in CONTRACT_FIELDS} == {
        "support_plan": str(plan.pk),
        "plan_type": SupportPlan.PlanType.TICKET_BASED,
        "credits_left": 1,
        "days_to_contract_end": 30,
        "account": "Acme Widgets",
        "name": "Acme support",
        "contract_number": "C-777",
        "product_name": "Router",
        "owner": str(contract.owner_id),
    }


def test_the_credits_are_read_once_per_run(contract, django_assert_num_queries):
    facts = Facts(Module.CONTRACTS, contract)
    with django_assert_num_queries(1):
        assert [facts.value("credits_left") for _ in range(3)] == [5, 5, 5]


def test_a_days_to_end_criterion_counts_from_today(contract):
    today = timezone.localdate()
    rule = Rule(
        module=Module.CONTRACTS,
        criteria=[{"field": "days_to_contract_end", "operator": "lte", "value": 30}],
    )
    assert evaluate(rule, Facts(Module.CONTRACTS, contract, today=today)).holds
    early = today - datetime.timedelta(days=1)
    assert not evaluate(rule, Facts(Module.CONTRACTS, contract, today=early)).holds


# --- the pattern ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rows", "tree"),
    [
        ("1", 1, 1),
        ("1 and 2", 2, ("and", 1, 2)),
        ("1 or 2 and 3", 3, ("or", 1, ("and", 2, 3))),  # and binds tighter
        ("1 and 2 or 3", 3, ("or", ("and", 1, 2), 3)),
        ("(1 or 2) and 3", 3, ("and", ("or", 1, 2), 3)),
        ("((1 and (2 or 3)))", 3, ("and", 1, ("or", 2, 3))),
        ("1 && 2 || 3", 3, ("or", ("and", 1, 2), 3)),
        ("1 AND 2 Or 3", 3, ("or", ("and", 1, 2), 3)),
        ("  1   and   2  ", 2, ("and", 1, 2)),
        ("1 and 1", 1, ("and", 1, 1)),
        ("", 3, None),
    ],
)
def test_a_valid_pattern_is_read_as_a_tree(text, rows, tree):
    assert parse_pattern(text, rows) == tree


@pytest.mark.parametrize(
    ("text", "rows", "message"),
    [
        ("1 + 2", 2, "The pattern holds “+”: use numbers, and, or, and brackets."),
        ("1 and not 2", 2, "The pattern holds “n”: use numbers, and, or, and brackets."),
        ("1 and 4", 3, "The pattern names condition 4, but there are 3."),
        ("0 or 1", 1, "The pattern names condition 0, but there are 1."),
        ("1 and", 1, "The pattern ends too early: a condition number is missing."),
        ("1 and or 2", 2, "The pattern has “or” where a condition number belongs."),
        ("1 and ()", 1, "The pattern has “)” where a condition number belongs."),
        ("(1 and 2", 2, "A bracket in the pattern is not closed."),
        ("((1) and 2", 2, "A bracket in the pattern is not closed."),
        ("1 and 2)", 2, "The pattern closes a bracket it never opened."),
        ("1 2", 2, "The pattern needs “and” or “or” before “2”."),
        ("1 (2)", 2, "The pattern needs “and” or “or” before “(”."),
        ("1 and 2", 3, "The pattern leaves out condition(s) 3: use every condition."),
        ("2", 3, "The pattern leaves out condition(s) 1, 3: use every condition."),
    ],
)
def test_a_bad_pattern_says_what_is_wrong(text, rows, message):
    with pytest.raises(ValidationError) as refused:
        parse_pattern(text, rows)
    assert refused.value.messages == [message]


# --- evaluation -----------------------------------------------------------------------------


@pytest.fixture
def urgent_open_ticket(administrator, department, account):
    return ticket_create(
        by=administrator,
        subject="Printer on fire",
        account=account,
        department=department,
        priority=Priority.URGENT,
    )


URGENT = {"field": "priority", "operator": "is", "value": "urgent"}  # holds
RESOLVED = {"field": "status", "operator": "is", "value": "resolved"}  # does not
NO_CONTRACT = {"field": "has_contract", "operator": "is", "value": "yes"}  # does not


@pytest.mark.parametrize(
    ("rows", "join", "pattern", "holds"),
    [
        ([], "and", "", True),  # no criteria: always
        ([URGENT, RESOLVED], "and", "", False),
        ([URGENT, RESOLVED], "or", "", True),
        ([URGENT], "and", "", True),
        ([URGENT, RESOLVED, NO_CONTRACT], "and", "1 or 2 and 3", True),
        ([URGENT, RESOLVED, NO_CONTRACT], "and", "(1 or 2) and 3", False),
        ([RESOLVED, URGENT, NO_CONTRACT], "or", "1 or 2 and 3", False),
        ([RESOLVED, URGENT], "and", "1 || 2", True),
    ],
)
def test_rows_are_joined_by_and_or_or_by_the_pattern(
    urgent_open_ticket, rows, join, pattern, holds
):
    rule = Rule(module=Module.TICKETS, criteria=rows, join=join, pattern=pattern)
    assert evaluate(rule, Facts(Module.TICKETS, urgent_open_ticket)).holds is holds


def test_a_criterion_on_a_field_or_operator_no_longer_offered_never_holds(urgent_open_ticket):
    facts = Facts(Module.TICKETS, urgent_open_ticket)
    for row in (
        {"field": "mood", "operator": "is", "value": "grumpy"},
        {"field": "priority", "operator": "contains", "value": "urg"},
    ):
        assert not evaluate(Rule(module=Module.TICKETS, criteria=[row]), facts).holds


def test_explain_shows_each_rows_value_as_a_reader_knows_it(urgent_open_ticket):
    rule = Rule(module=Module.TICKETS, criteria=[URGENT, RESOLVED], join="or")
    evaluation = evaluate(rule, Facts(Module.TICKETS, urgent_open_ticket), explain=True)
    assert evaluation.holds
    assert [(row.number, row.actual, row.holds) for row in evaluation.rows] == [
        (1, "Urgent", True),
        (2, "Open", False),
    ]


# --- cleaning the rows ----------------------------------------------------------------------


def refusal(rows, department, module=Module.TICKETS) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        clean_criteria(module, rows, department)
    return refused.value.messages


def test_clean_rows_are_stored_typed(department, agent):
    rows = [
        {"field": "credits_left", "operator": "lte", "value": " 1 "},
        {"field": "subject", "operator": "contains", "value": "  printer "},
        {"field": "assignee", "operator": "is", "value": str(agent.pk)},
        {"field": "assignee", "operator": "empty", "value": "ignored"},
        {"field": "has_contract", "operator": "is", "value": "yes"},
    ]
    assert clean_criteria(Module.TICKETS, rows, department) == [
        {"field": "credits_left", "operator": "lte", "value": 1},
        {"field": "subject", "operator": "contains", "value": "printer"},
        {"field": "assignee", "operator": "is", "value": str(agent.pk)},
        {"field": "assignee", "operator": "empty", "value": None},
        {"field": "has_contract", "operator": "is", "value": "yes"},
    ]


def test_an_operator_of_another_kind_is_refused(department):
    rows = [{"field": "priority", "operator": "contains", "value": "urg"}]
    assert refusal(rows, department) == ["Condition 1: “contains” does not apply to Priority."]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("two", "Condition 1: Enter a whole number."),
        ("1.5", "Condition 1: Enter a whole number."),
        (None, "Condition 1: Enter a whole number."),
        ("2000000", "Condition 1: Enter a number between -1,000,000 and 1,000,000."),
    ],
)
def test_a_bad_number_is_refused(department, value, message):
    rows = [{"field": "credits_left", "operator": "lte", "value": value}]
    assert refusal(rows, department) == [message]


def test_a_choice_not_offered_is_refused(department, other_department):
    outsider = f.AgentFactory(username="outsider", departments=[other_department])
    elsewhere = f.SupportPlanFactory(department=other_department)
    for row in (
        {"field": "priority", "operator": "is", "value": "critical"},
        {"field": "assignee", "operator": "is", "value": str(outsider.pk)},
        {"field": "support_plan", "operator": "is", "value": str(elsewhere.pk)},
        {"field": "has_contract", "operator": "is", "value": "maybe"},
    ):
        assert refusal([row], department) == ["Condition 1: Choose one of the values offered."]


def test_each_bad_row_is_named(department):
    rows = [
        URGENT,
        {"field": "mood", "operator": "is", "value": "x"},
        {"field": "subject", "operator": "contains", "value": "  "},
        {"field": "owner", "operator": "is", "value": "1"},  # a contract field
    ]
    assert refusal(rows, department) == [
        "Condition 2: choose a field.",
        "Condition 3: Enter a value.",
        "Condition 4: choose a field.",
    ]


def test_at_most_25_conditions(department):
    assert len(clean_criteria(Module.TICKETS, [URGENT] * 25, department)) == 25
    assert refusal([URGENT] * 26, department) == ["A rule has at most 25 conditions."]
    assert criteria.MAX_CRITERIA == 25
