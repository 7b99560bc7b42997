from django import forms
from django.utils.translation import gettext_lazy as _

from . import services


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de questions"),
        help_text=_("GIFT (.gift, .txt, en UTF-8) ou Moodle XML (.xml)."),
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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = services.max_import_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("Le fichier fait %(size)s Mo : la limite est de %(max)s Mo.")
                % {"size": round(upload.size / 1048576, 1), "max": round(limit / 1048576, 1)}
            )
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("gift", "GIFT"), ("xml", "Moodle XML")])
    category = forms.IntegerField(required=False)
