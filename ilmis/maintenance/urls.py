from django.urls import path

from . import views

app_name = "maintenance"
urlpatterns = [
    path("", views.windows, name="windows"),
    path("a-venir/", views.upcoming, name="upcoming"),
    path("rapport/", views.report, name="report"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
    path("<int:pk>/terminer/", views.end, name="end"),
]
