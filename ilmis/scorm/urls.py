from django.urls import path

from . import views

app_name = "scorm"
urlpatterns = [
    path("", views.packages, name="packages"),
    path("<uuid:uuid>/", views.package, name="package"),
    path("<uuid:uuid>/supprimer/", views.delete, name="delete"),
    path("<uuid:uuid>/jouer/", views.player, name="player"),
    path("<uuid:uuid>/lancer/<int:sco_id>/", views.launch, name="launch"),
    path("<uuid:uuid>/fichiers/<path:path>", views.file, name="file"),
    path("tentatives/<int:pk>/", views.attempt, name="attempt"),
    path("tentatives/<int:pk>/appels/", views.calls, name="calls"),
]
