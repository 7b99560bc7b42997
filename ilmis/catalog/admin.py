from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Programme, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 1
    fields = [
        "code",
        "title",
        "start_date",
        "end_date",
        "place",
        "capacity",
        "access_duration_days",
        "price",
        "registration_open",
    ]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Staff editing of the Qualiopi indicator-1 information."""

    list_display = ["title", "duration_hours", "price", "published", "updated_at"]
    list_filter = ["published", "distance"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "published"]}),
        (
            _("Objectifs et contenu"),
            {"fields": ["audience", "objectives", "content", "prerequisites", "duration_hours"]},
        ),
        (
            _("Déroulement"),
            {
                "fields": [
                    "modalities",
                    "distance",
                    "distance_modalities",
                    "teaching_methods",
                    "assessment_methods",
                    "monitoring",
                    "trainers",
                    "access_delay",
                ]
            },
        ),
        (_("Prix et accessibilité"), {"fields": ["price", "price_details", "accessibility"]}),
    ]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "programme",
        "start_date",
        "end_date",
        "capacity",
        "access_duration_days",
        "registration_open",
    ]
    list_filter = ["registration_open", "programme"]
    search_fields = ["code", "title", "programme__title"]
    list_select_related = ["programme"]
