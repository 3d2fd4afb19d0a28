from .access import sees_all_departments
from .models import Department


def department_list(user):
    """The departments the user works in (every department for administrators)."""
    if not user.is_authenticated:
        return Department.objects.none()
    if sees_all_departments(user):
        return Department.objects.all()
    return Department.objects.filter(members=user)


def _departments(user) -> list[tuple[int, bool]]:
    """The user's departments as (id, Contracts switched on): one query a request, kept on the
    user (every page with the top bar reads it)."""
    cache_name = "_departments"
    if not hasattr(user, cache_name):
        rows = department_list(user).order_by().values_list("pk", "contracts_enabled")
        setattr(user, cache_name, list(rows))
    return getattr(user, cache_name)


def contracts_module_visible(user) -> bool:
    """Whether the Contracts module is switched on for any of the user's departments."""
    return any(enabled for _pk, enabled in _departments(user))


def department_ids(user) -> list[int] | None:
    """The ids of the user's departments; None for whoever sees every department.

    Not the wall (``visible_to`` is): a query may add it as a literal list beside the wall, so
    that PostgreSQL can walk an index led by the department in order, which the wall's join to
    the members does not let it do."""
    if user.is_authenticated and sees_all_departments(user):
        return None
    return [pk for pk, _enabled in _departments(user)]
