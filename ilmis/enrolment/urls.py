from django.urls import path

from . import views

app_name = "enrolment"
urlpatterns = [
    path("session/<slug:code>/", views.preregister, name="preregister"),
    path("merci/", views.preregister_done, name="preregister_done"),
    path("signer/<str:token>/", views.sign, name="sign"),
    path("signer/<str:token>/code/", views.sign_code, name="sign_code"),
    path("signer/<str:token>/signee/", views.sign_done, name="sign_done"),
    path("signer/<str:token>/document.pdf", views.sign_pdf, name="sign_pdf"),
    path("signer/<str:token>/copie/", views.sign_upload, name="sign_upload"),
    path("verifier/", views.verify, name="verify"),
    path("mes-inscriptions/", views.mine, name="mine"),
    path("convention/<int:pk>.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("dossier/<int:pk>/signee.pdf", views.signed_pdf, name="signed_pdf"),
    path("dossier/<int:pk>/retractation/", views.withdraw, name="withdraw"),
    path("formation/<slug:slug>/", views.learn, name="learn"),
    path("equipe/", views.staff_requests, name="staff_requests"),
    path("equipe/nouvelle/", views.staff_request_new, name="staff_request_new"),
    path("equipe/demande/<int:pk>/", views.staff_request, name="staff_request"),
    path("equipe/demande/<int:pk>/<slug:action>/", views.staff_action, name="staff_action"),
    path("equipe/copie/<int:pk>/", views.staff_scan_review, name="staff_scan_review"),
    path("equipe/copie/<int:pk>/fichier/", views.staff_scan_file, name="staff_scan_file"),
    path("equipe/inscriptions/", views.staff_enrolments, name="staff_enrolments"),
    path("equipe/inscriptions/<int:pk>/", views.staff_enrolment, name="staff_enrolment"),
    path("equipe/identifiants/", views.staff_credentials, name="staff_credentials"),
    path("equipe/modeles/<slug:kind>/", views.staff_template, name="staff_template"),
    path(
        "equipe/modeles/<slug:kind>/apercu.pdf",
        views.staff_template_preview,
        name="staff_template_preview",
    ),
]
