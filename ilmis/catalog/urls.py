from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("equipe/", views.staff_programmes, name="staff_programmes"),
    path("equipe/nouveau/", views.staff_programme, name="staff_programme_new"),
    path("equipe/<int:pk>/", views.staff_programme, name="staff_programme"),
    path("equipe/<int:programme_pk>/session/", views.staff_session, name="staff_session_new"),
    path("equipe/<int:programme_pk>/session/<int:pk>/", views.staff_session, name="staff_session"),
    path("<slug:slug>/", views.programme, name="programme"),
]
