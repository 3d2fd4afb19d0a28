from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("", views.SLAListView.as_view(), name="sla_list"),
    path("<int:pk>/", views.SLADetailView.as_view(), name="sla_detail"),
]
