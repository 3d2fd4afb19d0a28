"""Change history for the pages: simple_history records with what each one changed."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


def with_changes(records) -> list:
    """Attach ``changes`` (a list of Change) to each record, newest first.

    Each record is compared with the next older one in the same list, in memory: one query for the
    whole trail, however long it is. The oldest record shown (a creation, or the edge of the page)
    has no changes listed.
    """
    records = list(records)
    for newer, older in zip(records, records[1:] + [None], strict=True):
        newer.changes = []
        if older is None or newer.history_type == "+":
            continue
        delta = newer.diff_against(older, foreign_keys_are_objs=False)
        meta = newer.instance_type._meta
        newer.changes = [
            Change(
                field=str(meta.get_field(change.field).verbose_name),
                old=_shown(meta.get_field(change.field), change.old),
                new=_shown(meta.get_field(change.field), change.new),
            )
            for change in delta.changes
        ]
    return records


def _shown(field, value):
    """A choice's label rather than its stored value."""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value
