from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("signaler-fraude/", views.report_fraud, name="report_fraud"),
    path("usage-frauduleux/", views.report_fraud_public, name="report_fraud_public"),
    path("usage-frauduleux/<str:token>/", views.confirm_fraud, name="fraud_confirm"),
    path("apprenants/", views.learners, name="learners"),
    path("apprenants/nouveau/", views.learner_create, name="learner_create"),
    path("apprenants/<int:pk>/", views.learner_edit, name="learner_edit"),
    path("apprenants/<int:pk>/invitation/", views.learner_reinvite, name="learner_reinvite"),
    path("apprenants/import/", views.learner_import, name="learner_import"),
    path("apprenants/import/<int:pk>/", views.learner_import_status, name="learner_import_status"),
    path("securite/", views.security, name="security"),
]
