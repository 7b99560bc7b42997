from django import forms
from django.utils.translation import gettext_lazy as _

from . import services


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de questions"),
        help_text=_("GIFT (.gift, .txt, en UTF-8) ou Moodle XML (.xml)."),
        required=False,
    )
    text = forms.CharField(
        label=_("… ou questions au format GIFT"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        required=False,
        help_text=_("Une question par paragraphe, séparées par une ligne vide."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Détecter automatiquement")), ("gift", "GIFT"), ("xml", "Moodle XML")],
        required=False,
    )
    category = forms.CharField(
        label=_("Catégorie d'accueil"),
        required=False,
        max_length=500,
        help_text=_(
            "Par exemple « Bureautique/Excel ». Les catégories $CATEGORY du fichier "
            "sont créées en dessous."
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choisissez un fichier ou collez des questions GIFT."))
        if data.get("file") and (data.get("text") or "").strip():
            raise forms.ValidationError(_("Un fichier ou du texte, pas les deux."))
        return data

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = services.max_import_bytes()
        if upload and upload.size > limit:
            raise forms.ValidationError(
                _("Le fichier fait %(size)s Mo : la limite est de %(max)s Mo.")
                % {"size": round(upload.size / 1048576, 1), "max": round(limit / 1048576, 1)}
            )
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("gift", "GIFT"), ("xml", "Moodle XML")])
    category = forms.IntegerField(required=False)


class QuizForm(forms.ModelForm):
    class Meta:
        from .models import Quiz

        model = Quiz
        fields = [
            "title",
            "intro",
            "purpose",
            "attempts_allowed",
            "time_limit_minutes",
            "opens_at",
            "closes_at",
            "shuffle_questions",
            "shuffle_answers",
            "pass_mark",
            "feedback_when",
            "correction_when",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "intro": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"intro": _("Markdown.")}

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La fermeture doit suivre l'ouverture."))
        return data


class SlotForm(forms.Form):
    """Add questions to a quiz: every question of a category, or a random draw from it."""

    MODES = [
        ("all", _("toutes les questions de la catégorie")),
        ("draw", _("un tirage au sort dans la catégorie (et ses sous-catégories)")),
    ]
    category = forms.ModelChoiceField(label=_("Catégorie"), queryset=None)
    mode = forms.ChoiceField(label=_("Ajouter"), choices=MODES, initial="all")
    count = forms.IntegerField(
        label=_("Nombre de questions tirées"), min_value=1, max_value=500, initial=5, required=False
    )
    mark = forms.DecimalField(
        label=_("Note par question"),
        min_value=0,
        max_value=1000,
        decimal_places=2,
        required=False,
        help_text=_("Vide : la note par défaut de chaque question."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Category

        self.fields["category"].queryset = Category.objects.order_by("path")

    def clean(self):
        data = super().clean()
        if data.get("mode") == "draw" and not data.get("count"):
            self.add_error("count", _("Combien de questions tirer ?"))
        return data
