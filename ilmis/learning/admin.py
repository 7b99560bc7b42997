from django.contrib import admin

from .models import Activity, ActivityCompletion, Module, ProgrammeVersion


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "position"]
    list_filter = ["programme"]
    search_fields = ["title"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "module", "position", "duration_minutes"]
    list_filter = ["kind", "module__programme"]
    search_fields = ["title"]
    readonly_fields = ["uuid", "file_name", "file_size", "content_type"]
    exclude = ["file"]  # uploads go through the staff pages, which check the content


@admin.register(ProgrammeVersion)
class ProgrammeVersionAdmin(admin.ModelAdmin):
    list_display = ["programme", "number", "total_minutes", "published_at", "published_by"]
    list_filter = ["programme"]

    def has_change_permission(self, request, obj=None):
        return False  # what was announced is kept as published (R11.1)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityCompletion)
class ActivityCompletionAdmin(admin.ModelAdmin):
    list_display = ["user", "activity", "completed_at", "source"]
    list_filter = ["source"]
    raw_id_fields = ["user", "activity"]
