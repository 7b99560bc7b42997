from django.urls import path

from . import views

app_name = "tracking"
urlpatterns = [
    path("", views.home, name="home"),
    path("beat/", views.beat, name="beat"),
    path("apprenant/<int:pk>/", views.learner, name="learner"),
    path("inscription/<int:pk>/dossier.<str:fmt>", views.evidence_file, name="evidence"),
    path("inscription/<int:pk>/document/<str:kind>.pdf", views.certificate, name="certificate"),
    path("inscription/<int:pk>/issue/", views.outcome, name="outcome"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("travaux/<int:pk>/", views.job, name="job"),
    path("travaux/<int:pk>/telecharger/", views.job_download, name="job_download"),
    path("modeles/", views.templates, name="templates"),
    path("modeles/<str:kind>/", views.template_edit, name="template_edit"),
    path("echanges/", views.threads, name="threads"),
    path("echanges/export.csv", views.threads_export, name="threads_export"),
    path("echanges/delais/", views.response_times, name="response_times"),
    path("echanges/ecrire/a/<uuid:activity_uuid>/", views.write, name="write_activity"),
    path("echanges/ecrire/p/<slug:slug>/", views.write, name="write_programme"),
    path("echanges/<int:pk>/", views.thread, name="thread"),
    path("echanges/<int:pk>/export.csv", views.threads_export, name="thread_export"),
    path("enquetes/", views.surveys, name="surveys"),
    path("enquetes/<int:pk>/", views.survey, name="survey"),
    path("qualite/", views.quality, name="quality"),
    path("qualite/export.csv", views.quality_export, name="quality_export"),
    path("alertes/", views.alerts, name="alerts"),
    path("alertes/<int:pk>/suivi/", views.alert_follow_up, name="alert_follow_up"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("accessibilite/registre/", views.accessibility_register, name="accessibility_register"),
    path("accessibilite/<int:pk>/", views.accessibility_adapt, name="accessibility_adapt"),
]
