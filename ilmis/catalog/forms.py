from django import forms
from django.utils.translation import gettext as _

from .models import Programme, Session


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "title",
            "slug",
            "summary",
            "published",
            "audience",
            "objectives",
            "content",
            "prerequisites",
            "duration_hours",
            "modalities",
            "distance",
            "distance_modalities",
            "teaching_methods",
            "assessment_methods",
            "monitoring",
            "trainers",
            "access_delay",
            "price",
            "price_details",
            "accessibility",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in [
                "audience",
                "objectives",
                "content",
                "prerequisites",
                "modalities",
                "distance_modalities",
                "teaching_methods",
                "assessment_methods",
                "monitoring",
                "trainers",
                "accessibility",
            ]
        }

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("Cette adresse est réservée : choisissez-en une autre."))
        return slug


RESERVED_SLUGS = {"equipe"}


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
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
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin doit suivre la date de début."))
        return cleaned
