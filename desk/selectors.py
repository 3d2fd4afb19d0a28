from .access import sees_all_departments
from .models import Department


def department_list(user):
    """The departments the user works in (every department for administrators)."""
    if not user.is_authenticated:
        return Department.objects.none()
    if sees_all_departments(user):
        return Department.objects.all()
    return Department.objects.filter(members=user)


def user_departments(user) -> list[Department]:
    """``department_list``, read once a request and kept on the user: the top bar, the lists'
    department ids and the ticket list's drop-down all read it."""
    cache_name = "_departments"
    if not hasattr(user, cache_name):
        setattr(user, cache_name, list(department_list(user)))
    return getattr(user, cache_name)


def contracts_module_visible(user) -> bool:
    """Whether the Contracts module is switched on for any of the user's departments."""
    return any(department.contracts_enabled for department in user_departments(user))


def department_ids(user) -> list[int] | None:
    """The ids of the user's departments; None for whoever sees every department.

    Not the wall (``visible_to`` is): a query may add it as a literal list beside the wall, so
    that PostgreSQL can walk an index led by the department in order, which the wall's join to
    the members does not let it do."""
    if user.is_authenticated and sees_all_departments(user):
        return None
    return [department.pk for department in user_departments(user)]
