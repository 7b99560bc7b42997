from django.contrib import admin

from .models import MaintenanceWindow


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    """Read-only: windows are scheduled from /maintenance/, which enforces notice and notifies."""

    list_display = [
        "starts_at",
        "ends_at",
        "emergency",
        "cancelled_at",
        "actual_start",
        "actual_end",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
