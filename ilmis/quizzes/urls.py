from django.urls import path

from . import attempt_views, views

app_name = "quizzes"
urlpatterns = [
    path("banque/", views.bank, name="bank"),
    path("banque/question/<int:pk>/", views.question_detail, name="question"),
    path("banque/question/<int:pk>/supprimer/", views.question_delete, name="question_delete"),
    path("banque/fichier/<int:pk>/<str:name>", views.question_file, name="question_file"),
    path("banque/import/", views.import_upload, name="import"),
    path("banque/import/<int:pk>/", views.import_status, name="import_status"),
    path("banque/export/", views.export, name="export"),
    path("", views.quiz_list, name="quizzes"),
    path("nouveau/", views.quiz_edit, name="quiz_add"),
    path("<int:pk>/reglages/", views.quiz_edit, name="quiz_edit"),
    path("resultats/<int:pk>/", views.results, name="results"),
    path("activite/<uuid:uuid>/", attempt_views.start, name="start"),
    path("tentative/<int:pk>/", attempt_views.attempt_page, name="attempt"),
    path("tentative/<int:pk>/reponse/", attempt_views.answer, name="answer"),
    path("tentative/<int:pk>/etat/", attempt_views.attempt_state, name="attempt_state"),
    path("tentative/<int:pk>/terminer/", attempt_views.finish, name="finish"),
    path("tentative/<int:pk>/resultat/", attempt_views.review, name="review"),
    path("tentative/<int:pk>/noter/<int:item_id>/", attempt_views.grade, name="grade"),
]
