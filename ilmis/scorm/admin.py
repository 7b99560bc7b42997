from django.contrib import admin

from .models import ApiCall, Sco, ScormAttempt, ScormPackage


class ScoInline(admin.TabularInline):
    model = Sco
    extra = 0
    can_delete = False
    fields = [
        "position",
        "identifier",
        "title",
        "kind",
        "launch",
        "parameters",
        "mastery_score",
        "min_normalized_measure",
        "satisfied_by_measure",
        "completion_threshold",
    ]
    readonly_fields = fields


@admin.register(ScormPackage)
class ScormPackageAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "programme", "activity", "uploaded_at"]
    list_filter = ["version"]
    search_fields = ["title", "uuid"]
    readonly_fields = [
        "uuid",
        "version",
        "manifest",
        "file_count",
        "unpacked_bytes",
        "uploaded_by",
        "uploaded_at",
    ]
    autocomplete_fields = []
    inlines = [ScoInline]

    def has_add_permission(self, request):
        return False  # packages come in through the import page, which checks them


@admin.register(ScormAttempt)
class ScormAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "learner",
        "sco",
        "number",
        "state",
        "completion_status",
        "success_status",
        "score_scaled",
        "total_seconds",
        "updated_at",
    ]
    list_filter = ["state", "completion_status", "success_status"]
    search_fields = ["learner__email", "learner__last_name", "sco__title"]
    readonly_fields = [f.name for f in ScormAttempt._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["attempt", "seq", "function", "element", "error_code", "server_error", "at"]
    list_filter = ["function", "error_code"]
    readonly_fields = [f.name for f in ApiCall._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
