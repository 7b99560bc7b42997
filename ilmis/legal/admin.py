from django.contrib import admin

from . import services
from .models import TermsAcceptance, TermsVersion


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    """Staff publish a new version here; a published version is never changed (R9.1)."""

    list_display = ("number", "title", "published_at", "published_by")
    fields = ("title", "body")

    def get_readonly_fields(self, request, obj=None):
        return ("title", "body") if obj else ()

    def save_model(self, request, obj, form, change):
        if not change:
            published = services.publish(title=obj.title, body=obj.body, by=request.user)
            obj.pk, obj.number = published.pk, published.number

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "version", "accepted_at", "ip")
    list_filter = ("version",)
    search_fields = ("user__email",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
