"""Presentation of credits: signed ledger deltas (no queries, no rules)."""

from django import template

register = template.Library()

MINUS = "\u2212"  # the minus sign, not a hyphen


@register.filter
def signed(value) -> str:
    """``1`` → "+1", ``-1`` → "−1", ``0`` → "0": a ledger delta always shows its sign."""
    if value in (None, ""):
        return ""
    number = int(value)
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"{MINUS}{-number}"
    return "0"
