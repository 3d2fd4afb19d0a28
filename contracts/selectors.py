from .models import Contract


def contract_list(user):
    return Contract.objects.visible_to(user).select_related(
        "account", "owner", "support_plan", "support_plan__sla"
    )


def contract_get(user, pk):
    return contract_list(user).get(pk=pk)
