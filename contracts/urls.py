from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("new/", views.ContractCreateView.as_view(), name="contract_create"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/edit/", views.ContractUpdateView.as_view(), name="contract_edit"),
    path("<int:pk>/renew/", views.ContractRenewView.as_view(), name="contract_renew"),
    path(
        "<int:pk>/credits/adjust/",
        views.ContractAdjustCreditsView.as_view(),
        name="contract_adjust_credits",
    ),
]

# Pages of the plans' addresses that read contracts (``config.urls`` joins them to plans.urls).
plan_urlpatterns = [
    path("<int:pk>/", views.PlanOverviewView.as_view(), name="plan_detail"),
]
