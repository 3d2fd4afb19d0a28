from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("modules/", views.ModulesView.as_view(), name="modules"),
]
