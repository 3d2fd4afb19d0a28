from .access import sees_all_departments
from .models import Department


def department_list(user):
    """The departments the user works in (every department for administrators)."""
    if not user.is_authenticated:
        return Department.objects.none()
    if sees_all_departments(user):
        return Department.objects.all()
    return Department.objects.filter(members=user)


def contracts_module_visible(user) -> bool:
    """Whether the Contracts module is switched on for any of the user's departments."""
    cache_name = "_contracts_module_visible"
    if not hasattr(user, cache_name):
        setattr(user, cache_name, department_list(user).filter(contracts_enabled=True).exists())
    return getattr(user, cache_name)
