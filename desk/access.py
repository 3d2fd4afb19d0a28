"""Who sees what: the one place that scopes records to a user's departments.

Every list and detail selector starts from ``Model.objects.visible_to(user)``; a record outside the
user's departments is simply absent, so a direct visit answers 404.
"""

from django.db import models

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
