from django.contrib import admin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("subject",)
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    exclude = ("body", "html_body", "attachments")  # may hold personal links
