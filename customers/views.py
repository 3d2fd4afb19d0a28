from django.views.generic import ListView

from . import selectors


class AccountListView(ListView):
    template_name = "customers/account_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        return selectors.account_list(self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(search=self.request.GET.get("q", ""), **kwargs)
