"""A rule's criteria (SPEC section 10): rows of field, operator and value, joined by AND, OR or a
pattern such as ``1 and (2 or 3)``.

- ``FIELDS``: what a criterion can look at, per module, each of a kind (text, number, choice,
  person, yes/no) that decides its operators and how its value is read;
- ``Facts``: a record's values, read once per run (the credits left cost one query, made only
  if a rule asks);
- ``parse_pattern``: the pattern, checked with a message a person can act on;
- ``evaluate``: whether the criteria hold, row by row (what *Test against* shows).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts import credits
from desk.choices import Priority, Status
from desk.people import person_name
from plans.models import SupportPlan

from .models import Module

MAX_CRITERIA = 25


# --- operators ------------------------------------------------------------------------------

OPERATORS: dict[str, Any] = {
    "is": pgettext_lazy("criterion", "is"),
    "is_not": pgettext_lazy("criterion", "is not"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "starts_with": _("starts with"),
    "lt": _("less than"),
    "gt": _("greater than"),
    "lte": _("at most"),
    "gte": _("at least"),
    "empty": _("is empty"),
    "not_empty": _("is not empty"),
}
NO_VALUE = {"empty", "not_empty"}

KIND_OPERATORS = {
    "text": ["is", "is_not", "contains", "not_contains", "starts_with", "empty", "not_empty"],
    "number": ["is", "is_not", "lt", "gt", "lte", "gte", "empty", "not_empty"],
    "choice": ["is", "is_not"],
    "optional_choice": ["is", "is_not", "empty", "not_empty"],
    "yes_no": ["is"],
}


def compare(operator: str, actual: Any, expected: Any) -> bool:
    """Whether ``actual`` (the record's value; None: nothing) ``operator`` ``expected``. Text is
    compared without regard to case; nothing is empty, is not anything, and is neither less nor
    more than a number."""
    if operator == "empty":
        return actual is None or actual == ""
    if operator == "not_empty":
        return not (actual is None or actual == "")
    if isinstance(actual, str):
        actual = actual.casefold()
        expected = str(expected).casefold()
    if operator == "is":
        return actual == expected
    if operator == "is_not":
        return actual != expected
    if actual is None:
        return False
    if operator == "contains":
        return expected in actual
    if operator == "not_contains":
        return expected not in actual
    if operator == "starts_with":
        return actual.startswith(expected)
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "lt": lambda a, b: a < b,
        "gt": lambda a, b: a > b,
        "lte": lambda a, b: a <= b,
        "gte": lambda a, b: a >= b,
    }
    return comparisons[operator](actual, expected)


# --- fields ---------------------------------------------------------------------------------

YES_NO = [("yes", _("yes")), ("no", _("no"))]


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    kind: str  # a key of KIND_OPERATORS
    # The values a choice offers, for a department: [(value, label), ...].
    choices: Callable[[Any], list[tuple[str, Any]]] | None = None

    @property
    def operators(self) -> list[str]:
        return KIND_OPERATORS[self.kind]

    def clean_value(self, value: Any, department) -> Any:
        """The stored value of a criterion on this field, or ``ValidationError``."""
        if self.kind == "number":
            try:
                number = int(str(value).strip())
            except ValueError:
                raise ValidationError(_("Enter a whole number.")) from None
            if abs(number) > 1_000_000:
                raise ValidationError(_("Enter a number between -1,000,000 and 1,000,000."))
            return number
        value = str(value if value is not None else "").strip()
        if self.kind == "text":
            if not value:
                raise ValidationError(_("Enter a value."))
            if len(value) > 200:
                raise ValidationError(_("Enter at most 200 characters."))
            return value
        assert self.choices is not None
        if value not in {str(v) for v, _label in self.choices(department)}:
            raise ValidationError(_("Choose one of the values offered."))
        return value

    def value_label(self, value: Any, department) -> str:
        """A stored value as a reader knows it (a choice's label)."""
        if self.choices is None or value in (None, ""):
            return "" if value is None else str(value)
        labels = {str(v): label for v, label in self.choices(department)}
        return str(labels.get(str(value), _("(no longer offered)")))


def _status_choices(department):
    return list(Status.choices)


def _priority_choices(department):
    return list(Priority.choices)


def _plan_type_choices(department):
    return list(SupportPlan.PlanType.choices)


def _plan_choices(department):
    plans = SupportPlan.objects.filter(department=department).order_by("name")
    return [(str(plan.pk), plan.name) for plan in plans]


def _sla_choices(department):
    from sla.models import SLA

    return [(str(sla.pk), sla.name) for sla in SLA.objects.filter(department=department)]


def _agent_choices(department):
    users = department.members.filter(is_active=True).order_by("first_name", "last_name")
    return [(str(user.pk), person_name(user)) for user in users]


def _yes_no(department):
    return YES_NO


def _fields(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


TICKET_FIELDS = _fields(
    Field("has_contract", _("Has a contract"), "yes_no", _yes_no),
    Field("support_plan", _("Support plan"), "optional_choice", _plan_choices),
    Field("plan_type", _("Plan type"), "optional_choice", _plan_type_choices),
    Field("credits_left", _("Credits left in the cycle"), "number"),
    Field("days_to_contract_end", _("Days until the contract ends"), "number"),
    Field("sla", _("SLA"), "optional_choice", _sla_choices),
    Field("priority", _("Priority"), "choice", _priority_choices),
    Field("status", _("Status"), "choice", _status_choices),
    Field("account", _("Account name"), "text"),
    Field("assignee", _("Assignee"), "optional_choice", _agent_choices),
    Field("product_name", _("Product"), "text"),
    Field("subject", _("Subject"), "text"),
)
# The ticket criteria that read the ticket's own columns: their value changes only when the
# ticket is written (the others follow its contract, plan or account).
OWN_TICKET_FIELDS = frozenset(
    {"has_contract", "sla", "priority", "status", "assignee", "product_name", "subject"}
)
CONTRACT_FIELDS = _fields(
    Field("support_plan", _("Support plan"), "choice", _plan_choices),
    Field("plan_type", _("Plan type"), "choice", _plan_type_choices),
    Field("credits_left", _("Credits left in the cycle"), "number"),
    Field("days_to_contract_end", _("Days until the contract ends"), "number"),
    Field("account", _("Account name"), "text"),
    Field("name", _("Contract name"), "text"),
    Field("contract_number", _("Contract number"), "text"),
    Field("product_name", _("Product"), "text"),
    Field("owner", _("Contract owner"), "choice", _agent_choices),
)
FIELDS: dict[str, dict[str, Field]] = {
    Module.TICKETS: TICKET_FIELDS,
    Module.CONTRACTS: CONTRACT_FIELDS,
}

# The fields a "Chosen fields updated" trigger can name, per module (model field names).
TRIGGER_FIELDS: dict[str, list[tuple[str, Any]]] = {
    Module.TICKETS: [
        ("status", _("Status")),
        ("priority", _("Priority")),
        ("assignee", _("Assignee")),
        ("contract", _("Contract")),
        ("subject", _("Subject")),
        ("description", _("Description")),
        ("contact", _("Contact")),
        ("product_name", _("Product")),
    ],
    Module.CONTRACTS: [
        ("name", _("Contract name")),
        ("contract_number", _("Contract number")),
        ("owner", _("Contract owner")),
        ("support_plan", _("Support plan")),
        ("start_date", _("Start date")),
        ("end_date", _("End date")),
        ("product_name", _("Product")),
    ],
}


# --- a record's values ----------------------------------------------------------------------


class Facts:
    """The values a rule's criteria read from one ticket or contract, each read once."""

    def __init__(self, module: str, record, *, today: datetime.date | None = None):
        self.module = module
        self.record = record
        self.today = today or timezone.localdate()

    @property
    def contract(self):
        return self.record.contract if self.module == Module.TICKETS else self.record

    @cached_property
    def credit_summary(self):
        contract = self.contract
        if contract is None:
            return None
        return credits.summary_for(contract, self.today)

    def value(self, name: str) -> Any:
        record, contract = self.record, self.contract
        plan = contract.support_plan if contract is not None else None
        if name == "has_contract":
            return "yes" if contract is not None else "no"
        if name == "support_plan":
            return str(plan.pk) if plan else None
        if name == "plan_type":
            return plan.plan_type if plan else None
        if name == "credits_left":
            summary = self.credit_summary
            return summary.left if summary is not None else None
        if name == "days_to_contract_end":
            if contract is None or contract.end_date is None:
                return None
            return (contract.end_date - self.today).days
        if name == "account":
            return record.account.name
        if name in ("sla", "assignee", "owner"):
            related_id = getattr(record, f"{name}_id")
            return str(related_id) if related_id is not None else None
        return getattr(record, name)

    def shown(self, name: str) -> str:
        """The record's value of ``name`` as a reader knows it."""
        value = self.value(name)
        if value is None or value == "":
            return str(_("(empty)"))
        if name in ("assignee", "owner"):
            return person_name(getattr(self.record, name))
        if name == "sla":
            return str(self.record.sla)
        if name == "support_plan":
            return self.contract.support_plan.name
        if name in ("has_contract", "plan_type", "priority", "status"):
            # Choices that are the same in every department.
            return FIELDS[self.module][name].value_label(value, None)
        return str(value)


# --- the pattern ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+)|(and|or|&&|\|\|)|(\()|(\))|(\S))", re.IGNORECASE)

Pattern = int | tuple  # a row number, or ("and" | "or", left, right)


@lru_cache(maxsize=1024)
def parse_pattern(text: str, rows: int) -> Pattern | None:
    """The pattern over ``rows`` criteria as a tree; ``ValidationError`` with a message that says
    what is wrong and where. Every row is used; ``and`` binds tighter than ``or``. A tree is
    immutable and kept (a rule's pattern is read for each ticket it is evaluated against)."""
    text = (text or "").strip()
    if not text:
        return None
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        number, word, opening, closing, other = match.groups()
        if other is not None:
            raise ValidationError(
                _("The pattern holds “%(character)s”: use numbers, and, or, and brackets."),
                params={"character": other},
                code="pattern",
            )
        if number is not None:
            tokens.append(("number", number))
        elif word is not None:
            tokens.append(("word", {"&&": "and", "||": "or"}.get(word, word.lower())))
        else:
            tokens.append(("bracket", opening or closing))
    position = 0
    used: set[int] = set()

    def peek():
        return tokens[position] if position < len(tokens) else None

    def expression() -> Pattern:
        nonlocal position
        left = conjunction()
        while peek() == ("word", "or"):
            position += 1
            left = ("or", left, conjunction())
        return left

    def conjunction() -> Pattern:
        nonlocal position
        left = operand()
        while peek() == ("word", "and"):
            position += 1
            left = ("and", left, operand())
        return left

    def operand() -> Pattern:
        nonlocal position
        token = peek()
        if token is None:
            raise ValidationError(
                _("The pattern ends too early: a condition number is missing."), code="pattern"
            )
        position += 1
        if token == ("bracket", "("):
            inner = expression()
            if peek() != ("bracket", ")"):
                raise ValidationError(_("A bracket in the pattern is not closed."), code="pattern")
            position += 1
            return inner
        if token[0] == "number":
            number = int(token[1])
            if not 1 <= number <= rows:
                raise ValidationError(
                    _("The pattern names condition %(number)s, but there are %(rows)s."),
                    params={"number": number, "rows": rows},
                    code="pattern",
                )
            used.add(number)
            return number
        raise ValidationError(
            _("The pattern has “%(token)s” where a condition number belongs."),
            params={"token": token[1]},
            code="pattern",
        )

    tree = expression()
    if position < len(tokens):
        token = tokens[position]
        if token == ("bracket", ")"):
            raise ValidationError(
                _("The pattern closes a bracket it never opened."), code="pattern"
            )
        raise ValidationError(
            _("The pattern needs “and” or “or” before “%(token)s”."),
            params={"token": token[1]},
            code="pattern",
        )
    missing = sorted(set(range(1, rows + 1)) - used)
    if missing:
        raise ValidationError(
            _("The pattern leaves out condition(s) %(numbers)s: use every condition."),
            params={"numbers": ", ".join(map(str, missing))},
            code="pattern",
        )
    return tree


def _holds(tree: Pattern, results: list[bool]) -> bool:
    if isinstance(tree, int):
        return results[tree - 1]
    join, left, right = tree
    if join == "and":
        return _holds(left, results) and _holds(right, results)
    return _holds(left, results) or _holds(right, results)


# --- evaluation -----------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    field: Field
    operator: str
    value: Any
    actual: str
    holds: bool

    @property
    def operator_label(self):
        return OPERATORS[self.operator]


@dataclass
class Evaluation:
    rows: list[RowResult] = field(default_factory=list)
    holds: bool = True


def evaluate(rule, facts: Facts, *, explain: bool = False) -> Evaluation:
    """Whether ``rule``'s criteria hold for the record of ``facts``. A criterion on a field the
    module no longer has never holds. With ``explain``, each row's value as a reader knows it."""
    fields = FIELDS[rule.module]
    results = []
    evaluation = Evaluation()
    for number, row in enumerate(rule.criteria, start=1):
        field_ = fields.get(row.get("field"))
        if field_ is None or row.get("operator") not in field_.operators:
            holds = False
        else:
            holds = compare(row["operator"], facts.value(field_.name), row.get("value"))
        results.append(holds)
        if explain and field_ is not None:
            evaluation.rows.append(
                RowResult(
                    number=number,
                    field=field_,
                    operator=row.get("operator", ""),
                    value=row.get("value"),
                    actual=facts.shown(field_.name),
                    holds=holds,
                )
            )
    if not results:
        evaluation.holds = True
    elif rule.pattern:
        try:
            tree = parse_pattern(rule.pattern, len(results))
            evaluation.holds = _holds(tree, results) if tree is not None else all(results)
        except ValidationError:
            evaluation.holds = False  # saved through the services, a pattern is always valid
    elif rule.join == "or":
        evaluation.holds = any(results)
    else:
        evaluation.holds = all(results)
    return evaluation


def clean_criteria(module: str, rows: list[dict], department) -> list[dict]:
    """The rows as stored, or ``ValidationError`` naming each bad row."""
    if len(rows) > MAX_CRITERIA:
        raise ValidationError(
            _("A rule has at most %(limit)s conditions."), params={"limit": MAX_CRITERIA}
        )
    fields = FIELDS[module]
    cleaned, errors = [], []
    for number, row in enumerate(rows, start=1):
        field_ = fields.get(row.get("field", ""))
        operator = row.get("operator", "")
        if field_ is None:
            errors.append(_row_error(number, _("choose a field")))
            continue
        if operator not in field_.operators:
            errors.append(
                _row_error(
                    number,
                    _("“%(operator)s” does not apply to %(field)s")
                    % {"operator": OPERATORS.get(operator, operator), "field": field_.label},
                )
            )
            continue
        value = None
        if operator not in NO_VALUE:
            try:
                value = field_.clean_value(row.get("value"), department)
            except ValidationError as error:
                # "Condition 2: Enter a whole number." (the row's message ends the sentence).
                message = " ".join(error.messages).rstrip(".。")
                errors.append(_row_error(number, message))
                continue
        cleaned.append({"field": field_.name, "operator": operator, "value": value})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _row_error(number: int, message) -> ValidationError:
    return ValidationError(
        _("Condition %(number)s: %(message)s."),
        params={"number": number, "message": message},
        code="criterion",
    )


# --- in SQL, for scans (time-based rules) -----------------------------------------------------

# The ticket fields a criterion reads straight from the ticket's row, by SQL lookup.
_TICKET_COLUMNS = {
    "priority": "priority",
    "status": "status",
    "subject": "subject",
    "product_name": "product_name",
    "assignee": "assignee_id",
    "sla": "sla_id",
    "account": "account__name",
}


def _row_q(row: dict) -> Q | None:
    """A ticket criterion as a filter, where it is one (else None: it is decided in Python)."""
    field_name, operator, value = row.get("field"), row.get("operator"), row.get("value")
    if field_name == "has_contract":
        return Q(contract__isnull=(value != "yes"))
    column = _TICKET_COLUMNS.get(field_name or "")
    if column is None:
        return None
    is_text = field_name in ("subject", "product_name", "account")
    if operator == "empty":
        return Q(**{f"{column}__isnull": True}) if not is_text else Q(**{column: ""})
    if operator == "not_empty":
        return Q(**{f"{column}__isnull": False}) if not is_text else ~Q(**{column: ""})
    lookups = {"is": "iexact", "contains": "icontains", "starts_with": "istartswith"}
    if is_text and operator in lookups:
        return Q(**{f"{column}__{lookups[operator]}": value})
    if is_text and operator == "is_not":
        return ~Q(**{f"{column}__iexact": value})
    if is_text and operator == "not_contains":
        return ~Q(**{f"{column}__icontains": value})
    if operator == "is":
        return Q(**{column: value})
    if operator == "is_not":
        return Q(**{f"{column}__isnull": True}) | ~Q(**{column: value})
    return None


def reads_only_the_ticket(rule) -> bool:
    """Whether ``rule``'s criteria read only the ticket's own columns (``OWN_TICKET_FIELDS``)."""
    return rule.module == Module.TICKETS and all(
        row.get("field") in OWN_TICKET_FIELDS for row in rule.criteria
    )


def as_q(rule) -> Q:
    """A filter every ticket ``rule``'s criteria hold for passes (it may let others through:
    ``evaluate`` decides): the criteria a column answers, joined as the rule joins them, so
    that a scan reads the rows that can match, not the department's every ticket."""
    rows = [_row_q(row) for row in rule.criteria]
    if not rows:
        return Q()
    everything = Q()

    def combine(tree) -> Q | None:  # None: "may hold for any ticket"
        if isinstance(tree, int):
            return rows[tree - 1]
        join, left, right = tree
        left_q, right_q = combine(left), combine(right)
        if join == "and":
            if left_q is None:
                return right_q
            return left_q if right_q is None else left_q & right_q
        if left_q is None or right_q is None:
            return None
        return left_q | right_q

    if rule.pattern:
        try:
            tree = parse_pattern(rule.pattern, len(rows))
        except ValidationError:
            return everything
    else:
        tree = 1
        for number in range(2, len(rows) + 1):
            tree = (rule.join if rule.join == "or" else "and", tree, number)
    return combine(tree) or everything
