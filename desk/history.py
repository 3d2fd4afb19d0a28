"""Change history for the pages: who changed a record, when, and what changed.

One mechanism for plans, SLAs, contracts and tickets: their django-simple-history records,
fetched in one query (with the related rows their changes name), each compared in memory with
the next older record.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

SHOWN = 50
# Bookkeeping that changes on every save and says nothing to a reader.
ALWAYS_HIDDEN = ("created_at", "updated_at")


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    record: object
    changes: list[Change]


def history_entries(history, *, limit: int = SHOWN, related=(), hidden=()) -> list[HistoryEntry]:
    """The newest ``limit`` records of a history manager with what each one changed.

    ``related``: foreign keys the records may change, fetched with them so the changes can name
    the old and new rows without a query each. ``hidden``: fields never listed.
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
                changes.append(
                    Change(
                        label=str(model_field.verbose_name),
                        old=shown(model_field, change.old),
                        new=shown(model_field, change.new),
                    )
                )
        entries.append(HistoryEntry(record=newer, changes=changes))
    return entries


def shown(model_field, value) -> str:
    """A value as a reader knows it: a choice's label, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, AbstractBaseUser):
        return value.get_full_name() or value.get_username()  # as the pages name people
    return str(value)
