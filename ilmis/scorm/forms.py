from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ScormPackage
from .package import MB, max_upload_bytes


class PackageForm(forms.Form):
    file = forms.FileField(
        label=_("Archive zip du paquet SCORM"),
        help_text=_("SCORM 1.2 ou 2004 (2e, 3e ou 4e édition), imsmanifest.xml à la racine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    title = forms.CharField(
        label=_("Titre (facultatif)"),
        max_length=300,
        required=False,
        help_text=_("Par défaut, celui du manifeste."),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=None,
        required=False,
        help_text=_("Les apprenants inscrits à ce programme pourront le suivre."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ilmis.catalog.models import Programme

        self.fields["programme"].queryset = Programme.objects.all()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("L'archive pèse %(size)s Mo, plus que la limite de %(max)s Mo.")
                % {"size": upload.size // MB, "max": limit // MB}
            )
        return upload


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = ScormPackage
        fields = ["title", "programme"]
