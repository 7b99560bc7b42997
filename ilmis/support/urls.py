from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.home, name="home"),
    path("compatibilite/", views.compat, name="compat"),
    path("compatibilite/debit/", views.speed, name="speed"),
    path("compatibilite/joindre/", views.compat_save, name="compat_save"),
    path("signaler/", views.report, name="report"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("incidents/<int:pk>/capture/", views.screenshot, name="screenshot"),
    path("incidents/<int:pk>/<str:action>/", views.incident_action, name="incident_action"),
    path("equipe/", views.desk_queue, name="queue"),
    path("equipe/chiffres/", views.figures, name="figures"),
    path("reclamation/", views.complaint_new, name="complaint_new"),
    path("equipe/reclamations/", views.complaints, name="complaints"),
    path("equipe/reclamations/nouvelle/", views.complaint_record, name="complaint_record"),
    path("equipe/reclamations/<int:pk>/", views.complaint, name="complaint"),
]
