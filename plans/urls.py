from django.urls import path

from . import views

app_name = "plans"

# The overview, ``<int:pk>/`` ("plan_detail"), reads contracts and their usage: it is
# ``contracts.urls.plan_urlpatterns``, joined to these in ``config.urls``.
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("<int:pk>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("<int:pk>/active/", views.PlanSetActiveView.as_view(), name="plan_set_active"),
    path("<int:pk>/delete/", views.PlanDeleteView.as_view(), name="plan_delete"),
]
