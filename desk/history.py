"""Change history for the pages: who changed a record, when, and what changed.

One mechanism for plans, SLAs, contracts and tickets: their django-simple-history records,
fetched in one query (with the related rows their changes name), each compared in memory with
the next older record.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject

from .people import person_name

SHOWN = 50
# Bookkeeping that changes on every save and says nothing to a reader.
ALWAYS_HIDDEN = ("created_at", "updated_at")

# Change reasons stored in English (simple_history keeps a reason as written) and shown in each
# reader's language: a ticket's replies (``tickets.conversation``).
TRANSLATED_REASONS = {
    "Replied to the customer": _("Replied to the customer"),
    "Added a private note": _("Added a private note"),
    "The customer replied": _("The customer replied"),
}
# A workflow rule's field update (``automation.actions.rule_reason``): this English prefix and
# the rule's name, shown as "Workflow rule: <name>" in the reader's language.
WORKFLOW_RULE_PREFIX = "Workflow rule: "
WORKFLOW_RULE_REASON = _("Workflow rule: %(name)s")


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    record: object
    changes: list[Change]

    @property
    def who(self) -> str:
        """Who made the change, by name; empty for the system (scheduled work, commands)."""
        user = getattr(self.record, "history_user", None)
        return person_name(user) if user is not None else ""

    @property
    def reason(self) -> str:
        """Why the change was made: a reason of ``TRANSLATED_REASONS`` or a workflow rule's in
        the reader's language, any other as written."""
        reason = getattr(self.record, "history_change_reason", None) or ""
        if reason.startswith(WORKFLOW_RULE_PREFIX):
            return str(WORKFLOW_RULE_REASON) % {"name": reason.removeprefix(WORKFLOW_RULE_PREFIX)}
        return str(TRANSLATED_REASONS.get(reason, reason))


def history_entries(
    history, *, limit: int = SHOWN, related=(), hidden=(), empty=None
) -> list[HistoryEntry]:
    """The newest ``limit`` records of a history manager with what each one changed.

    ``related``: foreign keys the records may change, fetched with them so the changes can name
    the old and new rows without a query each. ``hidden``: fields never listed. ``empty``: what
    a field shows when it holds nothing, by field name, instead of a dash ("Unassigned").
    A save that changed nothing shown is left out, unless it gives a reason (an escalation's).
    """
    records = list(
        history.select_related("history_user", *related).order_by("-history_date", "-history_id")[
            : limit
            + 1  # one more record, to say what the oldest one shown changed
        ]
    )
    excluded = [*ALWAYS_HIDDEN, *hidden]
    entries = []
    for newer, older in zip(records[:limit], [*records[1:], None], strict=False):
        changes = []
        if older is not None and newer.history_type == "~":
            meta = newer.instance_type._meta
            delta = newer.diff_against(older, excluded_fields=excluded, foreign_keys_are_objs=True)
            for change in delta.changes:
                model_field = meta.get_field(change.field)
                nothing = (empty or {}).get(change.field, NOTHING)
                changes.append(
                    Change(
                        label=str(model_field.verbose_name),
                        old=shown(model_field, change.old, nothing=nothing),
                        new=shown(model_field, change.new, nothing=nothing),
                    )
                )
        saved_as_it_was = older is not None and newer.history_type == "~" and not changes
        if saved_as_it_was and not newer.history_change_reason:
            continue  # nothing a reader would see changed, and no reason given
        entries.append(HistoryEntry(record=newer, changes=changes))
    return entries


NOTHING = "—"


def shown(model_field, value, *, nothing: str = NOTHING) -> str:
    """A value as a reader knows it: a choice's label, yes/no, a person's name, a time in the
    reader's zone, ``nothing`` (a dash) for nothing."""
    if isinstance(value, DeletedObject) and value.pk is None:
        value = None  # an empty foreign key, not a deleted row
    if value is None or value == "":
        return str(nothing)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, AbstractBaseUser):
        return person_name(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)
