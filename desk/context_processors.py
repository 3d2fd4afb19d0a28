from .access import can_manage_automation
from .selectors import contracts_module_visible


def navigation(request):
    """What the top bar shows the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_contracts": contracts_module_visible(user),
        "nav_manage_automation": can_manage_automation(user),
    }
