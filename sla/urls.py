from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("", views.SLAListView.as_view(), name="sla_list"),
    path("new/", views.SLACreateView.as_view(), name="sla_create"),
    path("<int:pk>/", views.SLADetailView.as_view(), name="sla_detail"),
    path("<int:pk>/edit/", views.SLAUpdateView.as_view(), name="sla_edit"),
    path(
        "<int:pk>/deactivate/",
        views.SLAActionView.as_view(action="deactivate"),
        name="sla_deactivate",
    ),
    path(
        "<int:pk>/reactivate/",
        views.SLAActionView.as_view(action="reactivate"),
        name="sla_reactivate",
    ),
    path(
        "<int:pk>/make-default/",
        views.SLAActionView.as_view(action="make_default"),
        name="sla_make_default",
    ),
    path(
        "<int:pk>/unset-default/",
        views.SLAActionView.as_view(action="unset_default"),
        name="sla_unset_default",
    ),
    path("<int:pk>/delete/", views.SLAActionView.as_view(action="delete"), name="sla_delete"),
    path("holiday-lists/", views.HolidayListListView.as_view(), name="holiday_list_list"),
    path("holiday-lists/new/", views.HolidayListCreateView.as_view(), name="holiday_list_create"),
    path(
        "holiday-lists/<int:pk>/", views.HolidayListDetailView.as_view(), name="holiday_list_detail"
    ),
    path(
        "holiday-lists/<int:pk>/edit/",
        views.HolidayListUpdateView.as_view(),
        name="holiday_list_edit",
    ),
    path(
        "holiday-lists/<int:pk>/delete/",
        views.HolidayListDeleteView.as_view(),
        name="holiday_list_delete",
    ),
]
