from django.views.generic import DetailView, ListView

from contracts.selectors import contract_list_for_account
from desk.selectors import contracts_module_visible

from . import selectors


class AccountListView(ListView):
    template_name = "customers/account_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        return selectors.account_list(self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(search=self.request.GET.get("q", ""), **kwargs)


class AccountDetailView(DetailView):
    template_name = "customers/account_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return selectors.account_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["contacts"] = selectors.account_contacts(self.object)
        context["tickets"] = selectors.account_recent_tickets(user, self.object)
        context["show_contracts"] = contracts_module_visible(user)
        if context["show_contracts"]:
            context["contracts"] = contract_list_for_account(user, self.object)
        return context
