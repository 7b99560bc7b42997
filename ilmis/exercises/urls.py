from django.urls import path

from . import views

app_name = "exercises"
urlpatterns = [
    path("corrections/", views.queue, name="queue"),
    path("corrections/<uuid:uuid>/", views.grade, name="grade"),
    path("copie/<uuid:uuid>/", views.submission, name="submission"),
    path("copie/<uuid:uuid>/annotation/", views.annotated_file, name="annotated_file"),
    path("fichier/<uuid:uuid>/", views.submission_file, name="file"),
    path("<uuid:uuid>/", views.exercise, name="exercise"),
    path("<uuid:uuid>/corrige/", views.correction_file, name="correction_file"),
    path("<uuid:uuid>/configurer/", views.configure, name="configure"),
]
