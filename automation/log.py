"""What a rule's firing did, in words: for the rule's page, the ticket and contract panels and
the back office (one home, so that each says it the same way)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from desk.choices import Priority, Status

from .models import Firing

# An action's stored error (``automation.actions``) in words, where it is a code.
ACTION_ERRORS = {"no recipient": _("nobody to write to")}


def firings_in_words(firings: list[Firing]) -> list[dict[str, Any]]:
    """Each firing with its actions said in words (``[{"ok", "text"}]``); reads nothing more.
    A webhook's deliveries, attempt by attempt, are on the rule's page and in the back office."""
    return [
        {"firing": firing, "actions": [describe(result) for result in _results(firing)]}
        for firing in firings
    ]


def _results(firing: Firing) -> list[dict]:
    actions = firing.actions if isinstance(firing.actions, list) else []
    return [result for result in actions if isinstance(result, dict)]


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value))


def _error(result: dict) -> str:
    error = str(result.get("error") or "")
    return str(ACTION_ERRORS.get(error, error)) or gettext("refused")


def describe(result: dict) -> dict:
    """One action of a firing in words: ``{"ok": bool, "text": str}``."""
    action = result.get("action")
    ok = bool(result.get("ok"))
    detail = result.get("detail") if isinstance(result.get("detail"), dict) else {}
    if action == "field_update":
        changes = []
        for name, label, choices in (
            ("status", _("Status"), Status),
            ("priority", _("Priority"), Priority),
            ("assignee", _("Assignee"), None),
        ):
            value = detail.get(name)
            if value:
                shown = _label(choices, value) if choices is not None else str(value)
                changes.append(gettext("%(field)s → %(value)s") % {"field": label, "value": shown})
        changes_text = ", ".join(changes)
        if ok:
            text = gettext("Field update: %(changes)s") % {"changes": changes_text}
        else:
            text = gettext("Field update refused (%(changes)s): %(error)s") % {
                "changes": changes_text,
                "error": _error(result),
            }
    elif action == "alert":
        if ok:
            to = ", ".join(str(address) for address in detail.get("to", []))
            text = gettext("Alert emailed to %(to)s") % {"to": to}
        else:
            text = gettext("Alert not sent: %(error)s") % {"error": _error(result)}
    elif action == "task":
        subject = detail.get("subject", "")
        if ok:
            text = gettext("Task made: %(subject)s") % {"subject": subject}
        else:
            text = gettext("Task not made (%(subject)s): %(error)s") % {
                "subject": subject,
                "error": _error(result),
            }
    elif action == "webhook":
        url = detail.get("url", "")
        if ok:
            text = gettext("Webhook queued for %(url)s") % {"url": url}
        else:
            text = gettext("Webhook to %(url)s not sent: %(error)s") % {
                "url": url,
                "error": _error(result),
            }
    else:
        text = str(action or "—")
    return {"ok": ok, "text": text}
