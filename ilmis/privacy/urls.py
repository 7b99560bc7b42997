from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("archive/", views.export_start, name="export_start"),
    path("archive/<int:pk>/", views.export_status, name="export_status"),
    path("archive/telecharger/<str:token>/", views.export_download, name="export_download"),
    path("rectification/", views.rectification, name="rectification"),
    path("effacement/", views.erasure, name="erasure"),
    path("effacement/effectue/<str:token>/", views.erased, name="erased"),
    path("equipe/", views.staff_list, name="staff_list"),
    path("equipe/nouvelle/", views.staff_new, name="staff_new"),
    path("equipe/conservation/", views.staff_retention, name="staff_retention"),
    path("equipe/<int:pk>/", views.staff_detail, name="staff_detail"),
]
