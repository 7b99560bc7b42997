from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("banque/", views.bank, name="bank"),
    path("banque/question/<int:pk>/", views.question_detail, name="question"),
    path("banque/fichier/<int:pk>/<str:name>", views.question_file, name="question_file"),
    path("banque/import/", views.import_upload, name="import"),
    path("banque/import/<int:pk>/", views.import_status, name="import_status"),
    path("banque/export/", views.export, name="export"),
]
