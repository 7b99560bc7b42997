from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ilmis.core.uploads import IMAGES, sniff

from .models import Complaint, Incident


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IncidentForm(forms.Form):
    summary = forms.CharField(
        label=_("Que se passe-t-il ?"),
        max_length=200,
        help_text=_("Une phrase : par exemple « La vidéo du module 2 ne se lance pas »."),
    )
    description = forms.CharField(
        label=_("Détails (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que vous faisiez, le message d'erreur affiché, ce que vous avez essayé."),
    )
    happened_at = forms.DateTimeField(
        label=_("Quand est-ce arrivé ?"),
        widget=DateTimeLocalInput(),
        help_text=_(
            "Heure de Paris. Signalez si possible dans les 48 heures ; un signalement "
            "plus tardif est accepté et noté comme tardif."
        ),
    )
    screenshot = forms.FileField(
        label=_("Capture d'écran (facultatif)"),
        required=False,
        help_text=_("Image PNG, JPEG, GIF ou WebP, 5 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    page_url = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    activity = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    compat = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_screenshot(self):
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        limit = getattr(settings, "ILMIS_SCREENSHOT_MAX_BYTES", 5 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(_("La capture d'écran dépasse 5 Mo."))
        head = upload.read(16)
        upload.seek(0)
        kind = sniff(head)
        if kind not in IMAGES:
            raise forms.ValidationError(_("Ce fichier n'est pas une image PNG, JPEG, GIF ou WebP."))
        upload.name = f"capture.{kind}"  # served with this type
        return upload


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=Incident.Status.choices)
    message = forms.CharField(
        label=_("Message à l'utilisateur (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Pris en charge par"), queryset=None, required=False, empty_label=_("personne")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["assignee"].queryset = get_user_model().objects.filter(
            role__in=["staff", "admin"], is_active=True
        )


class UserComplaintForm(forms.Form):
    """A complaint from a logged-in learner, manager or trainer (channel: form)."""

    kind = forms.ChoiceField(
        label=_("Nature"), choices=Complaint.Kind.choices, initial=Complaint.Kind.COMPLAINT
    )
    subject = forms.CharField(label=_("Objet"), max_length=200)
    description = forms.CharField(
        label=_("Décrivez la situation"), widget=forms.Textarea, max_length=10000
    )


class StaffComplaintForm(forms.ModelForm):
    """A complaint received by email, phone, post or in person, recorded by the desk."""

    class Meta:
        model = Complaint
        fields = [
            "kind",
            "source",
            "channel",
            "name",
            "organisation",
            "email",
            "phone",
            "subject",
            "description",
            "received_at",
        ]
        widgets = {
            "received_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }


class ComplaintStepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("acknowledge", "acknowledge"), ("answer", "answer"), ("close", "close")],
        widget=forms.HiddenInput,
    )
    text = forms.CharField(
        label=_("Texte"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )
