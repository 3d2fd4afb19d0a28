"""Who sees what: the one place that scopes records to a user's departments.

Every list and detail selector starts from ``Model.objects.visible_to(user)``; a record outside the
user's departments is simply absent, so a direct visit answers 404.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MANAGE_AUTOMATION = "desk.manage_automation"
ACCESS_ALL_DEPARTMENTS = "desk.access_all_departments"


def sees_all_departments(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(ACCESS_ALL_DEPARTMENTS))


def can_manage_automation(user) -> bool:
    return user.is_active and user.has_perm(MANAGE_AUTOMATION)


class DepartmentScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a department reached through ``department_lookup``."""

    department_lookup = "department"
    # Rows that belong to an optional module are hidden where the module is switched off.
    module_switch: str | None = None

    def visible_to(self, user):
        qs = self
        if self.module_switch:
            qs = qs.filter(**{f"{self.department_lookup}__{self.module_switch}": True})
        if not user.is_authenticated:
            return qs.none()
        if sees_all_departments(user):
            return qs
        return qs.filter(**{f"{self.department_lookup}__members": user})

    def in_department(self, department):
        return self.filter(**{self.department_lookup: department})


NOT_PERMITTED = _("You do not have permission to do this.")
NOT_YOUR_DEPARTMENT = _("Choose one of your departments.")
OUTSIDE_YOUR_DEPARTMENTS = _("This record belongs to a department you do not work in.")


def works_in(user, department) -> bool:
    """Whether ``user`` may act on ``department``'s records (a member, or an administrator)."""
    if department is None or not user.is_active:
        return False
    return sees_all_departments(user) or department.members.filter(pk=user.pk).exists()


def require_permission(user, permission: str) -> None:
    """Services call this first: ``PermissionDenied`` (a 403 on the pages) without it."""
    if not (user.is_active and user.has_perm(permission)):
        raise PermissionDenied(NOT_PERMITTED)


def require_department(user, department, *, field: str | None = None) -> None:
    """The department wall. ``field``: the department was chosen on a form, so the refusal is
    that field's message; otherwise the record itself is out of reach (``PermissionDenied``)."""
    if works_in(user, department):
        return
    if field is not None:
        raise ValidationError({field: NOT_YOUR_DEPARTMENT})
    raise PermissionDenied(OUTSIDE_YOUR_DEPARTMENTS)
