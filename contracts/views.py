from django.views.generic import DetailView, ListView

from . import credits, selectors


class ContractListView(ListView):
    template_name = "contracts/contract_list.html"
    context_object_name = "contracts"
    paginate_by = 50

    def get_queryset(self):
        return selectors.contract_list(self.request.user)


class ContractDetailView(DetailView):
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self):
        return selectors.contract_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["credit_summary"] = credits.summary_for(self.object)
        return context
