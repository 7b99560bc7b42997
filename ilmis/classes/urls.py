from django.urls import path

from . import views

app_name = "classes"
urlpatterns = [
    path("", views.index, name="index"),
    path("planifier/", views.schedule, name="schedule"),
    path("calendrier/", views.calendar, name="calendar"),
    path("calendrier/<str:token>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/signer/", views.sign, name="sign"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
    path("<int:pk>/invitation.ics", views.invitation, name="invitation"),
    path("<int:pk>/emargement/", views.attendance, name="attendance"),
    path("<int:pk>/emargement/signer/<str:slot>/", views.trainer_sign, name="trainer_sign"),
    path("<int:pk>/emargement/teams/", views.import_teams, name="import_teams"),
    path("<int:pk>/emargement.pdf", views.attendance_pdf, name="attendance_pdf"),
]
