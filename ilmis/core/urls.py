from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("confidentialite/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
]
