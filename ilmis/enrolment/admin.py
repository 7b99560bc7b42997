from django.contrib import admin

from .models import Agreement, AgreementTemplate, Enrolment, PreRegistration, Trainee


class TraineeInline(admin.TabularInline):
    model = Trainee
    extra = 0
    readonly_fields = ["user"]


@admin.register(PreRegistration)
class PreRegistrationAdmin(admin.ModelAdmin):
    """Read-mostly: transitions go through the staff pages (one audited function each)."""

    list_display = [
        "reference",
        "full_name",
        "company_name",
        "session",
        "channel",
        "status",
        "created_at",
    ]
    list_filter = ["status", "channel", "kind", "funder"]
    search_fields = ["email", "last_name", "company_name"]
    list_select_related = ["session__programme"]
    inlines = [TraineeInline]
    readonly_fields = [
        "status",
        "sent_at",
        "sign_deadline",
        "signed_at",
        "confirmed_at",
        "withdrawn_at",
        "cancelled_at",
        "decided_at",
        "decided_by",
        "client",
    ]
    raw_id_fields = ["session", "recorded_by"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False  # the file and its audit trail are kept (R2.4)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "session", "status", "access_start", "access_end", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["learner__email", "learner__last_name"]
    list_select_related = ["learner", "session__programme"]
    raw_id_fields = ["learner", "session", "preregistration", "invitation"]
    readonly_fields = ["access_start", "access_end", "status"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "created_at", "created_by", "note"]
    readonly_fields = ["kind", "version", "body", "created_at", "created_by", "note"]

    def has_add_permission(self, request):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["preregistration", "version", "kind", "created_at", "sha256"]
    readonly_fields = [f.name for f in Agreement._meta.fields]
    list_select_related = ["preregistration"]

    def has_add_permission(self, request):
        return False
