from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:slug>/", views.programme, name="programme"),
    path("a/<uuid:uuid>/", views.activity, name="activity"),
    path("a/<uuid:uuid>/fichier/", views.activity_file, name="file"),
    path("a/<uuid:uuid>/terminer/", views.complete, name="complete"),
    path("equipe/", views.staff_programmes, name="staff_programmes"),
    path("equipe/p/<slug:slug>/", views.staff_programme, name="staff_programme"),
    path("equipe/p/<slug:slug>/module/", views.staff_module, name="staff_module_add"),
    path("equipe/module/<uuid:uuid>/", views.staff_module, name="staff_module"),
    path(
        "equipe/module/<uuid:module_uuid>/activite/",
        views.staff_activity,
        name="staff_activity_add",
    ),
    path("equipe/activite/<uuid:uuid>/", views.staff_activity, name="staff_activity"),
    path(
        "equipe/<str:what>/<uuid:uuid>/<str:direction>/deplacer/",
        views.staff_move,
        name="staff_move",
    ),
    path("equipe/<str:what>/<uuid:uuid>/supprimer/", views.staff_delete, name="staff_delete"),
    path("equipe/activite/<uuid:uuid>/retablir/", views.staff_restore, name="staff_restore"),
]
