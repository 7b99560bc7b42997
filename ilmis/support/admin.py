from django.contrib import admin

from .models import CompatibilityReport, Complaint, Incident, IncidentEvent


class EventInline(admin.TabularInline):
    model = IncidentEvent
    extra = 0
    readonly_fields = ["kind", "author", "body", "from_status", "to_status", "at"]
    can_delete = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["id", "summary", "reporter", "status", "reported_at", "due_at", "late"]
    list_filter = ["status", "late"]
    search_fields = ["summary", "reporter__email"]
    readonly_fields = ["reported_at", "due_at", "resolved_at", "closed_at", "late", "status"]
    inlines = [EventInline]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["id", "subject", "name", "source", "channel", "status", "received_at"]
    list_filter = ["status", "source", "channel", "kind"]
    readonly_fields = ["status", "acknowledged_at", "answered_at", "closed_at"]


@admin.register(CompatibilityReport)
class CompatibilityReportAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "rate_mbps", "created_at", "incident"]
