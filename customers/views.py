from django.views.generic import DetailView, ListView

from contracts.selectors import contract_list

from . import selectors


class AccountListView(ListView):
    template_name = "customers/account_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        return selectors.account_list()


class AccountDetailView(DetailView):
    template_name = "customers/account_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return selectors.account_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contacts"] = self.object.contacts.all()
        context["contracts"] = contract_list(self.request.user).filter(account=self.object)
        return context
