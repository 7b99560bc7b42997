from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

admin.site.site_header = settings.ORGANISATION["name"]
admin.site.site_title = settings.ORGANISATION["name"]
admin.site.login = secure_admin_login(admin.site.login)  # through allauth, with MFA

urlpatterns = [
    path("", include("ilmis.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("compte/", include("ilmis.accounts.urls")),
    path("conditions/", include("ilmis.legal.urls")),
    path("equipe/courriels/", include("ilmis.notifications.urls")),
    path("formations/", include("ilmis.catalog.urls")),
    path("inscription/", include("ilmis.enrolment.urls")),
    path("qcm/", include("ilmis.quizzes.urls")),
    path("scorm/", include("ilmis.scorm.urls")),
    path("assistance/", include("ilmis.support.urls")),
    path("maintenance/", include("ilmis.maintenance.urls")),
    path("apprendre/", include("ilmis.learning.urls")),
    path("exercices/", include("ilmis.exercises.urls")),
    path("classes/", include("ilmis.classes.urls")),
    path("donnees-personnelles/", include("ilmis.privacy.urls")),
    path("suivi/", include("ilmis.tracking.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
