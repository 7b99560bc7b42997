from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Activity, Module
from .services import check_upload


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ActivityForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Fichier"),
        required=False,
        help_text=_("Document : un PDF. Vidéo : MP4, WebM ou Ogg. Vérifié à réception."),
    )

    class Meta:
        model = Activity
        fields = ["kind", "title", "duration_minutes", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Le type ne change plus une fois l'activité créée.")

    def clean(self):
        data = super().clean()
        kind, upload = data.get("kind"), data.get("upload")
        if kind in Activity.FILE_KINDS:
            if upload:
                try:
                    check_upload(kind, upload)
                except ValidationError as error:
                    self.add_error("upload", error)
            elif not self.instance.file:
                self.add_error("upload", _("Déposez le fichier de cette activité."))
        elif upload:
            self.add_error("upload", _("Ce type d'activité ne reçoit pas de fichier."))
        if kind == Activity.Kind.PAGE and not (data.get("body") or "").strip():
            self.add_error("body", _("Écrivez le contenu de la page."))
        return data


class PublishForm(forms.Form):
    note = forms.CharField(label=_("Note de version"), max_length=200, required=False)
