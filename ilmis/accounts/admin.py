from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Client, FraudReport, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "client", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone", "address", "language")}),
        (_("Rôle"), {"fields": ("role", "client", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "client")}),)
    readonly_fields = ("last_login", "date_joined")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "siret", "email", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "siret", "email")


@admin.register(FraudReport)
class FraudReportAdmin(admin.ModelAdmin):
    list_display = ("reported_at", "user", "channel", "sessions_ended", "handled_at")
    readonly_fields = ("user", "channel", "description", "ip", "reported_at", "sessions_ended")
