from django.contrib import admin

from .models import Attendance, LiveClass, TeamsAttendance, TrainerSignature


@admin.register(LiveClass)
class LiveClassAdmin(admin.ModelAdmin):
    list_display = ["title", "session", "start", "end", "trainer", "provider", "cancelled_at"]
    list_filter = ["provider", "cancelled_at"]
    search_fields = ["title", "session__code"]
    readonly_fields = [
        "uid",
        "sequence",
        "graph_meeting_id",
        "graph_organizer",
        "created_at",
        "cancelled_at",
        "cancelled_by",
        "attendance_imported_at",
    ]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["live_class", "learner", "slot", "signed_at", "status"]
    readonly_fields = [
        "signed_at",
        "signed_ip",
        "signed_user_agent",
        "confirmed_at",
        "confirmed_by",
    ]


admin.site.register(TrainerSignature)
admin.site.register(TeamsAttendance)
