from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PrivacyRequest
from .services import RECTIFIABLE


class RectificationForm(forms.Form):
    """What the signed documents should print (the person's own request)."""

    first_name = forms.CharField(label=_("Prénom correct"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom correct"), max_length=150, required=False)
    company_name = forms.CharField(
        label=_("Raison sociale correcte"), max_length=200, required=False
    )
    address = forms.CharField(
        label=_("Adresse postale correcte"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    details = forms.CharField(
        label=_("Précisions (document concerné, pièce justificative envoyée…)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(key) for key in RECTIFIABLE):
            raise forms.ValidationError(_("Indiquez au moins une information à corriger."))
        return data

    def changes(self):
        return {
            key: self.cleaned_data[key].strip() for key in RECTIFIABLE if self.cleaned_data.get(key)
        }


class ErasureForm(forms.Form):
    details = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    understood = forms.BooleanField(
        label=_(
            "J'ai compris : mon compte sera désactivé et mes données anonymisées, sauf les "
            "documents que la loi impose de conserver."
        ),
        required=True,
    )

    def __init__(self, *args, ongoing=(), **kwargs):
        super().__init__(*args, **kwargs)
        if ongoing:
            self.fields["end_training"] = forms.BooleanField(
                label=_(
                    "J'ai compris que l'effacement, s'il est accepté, met fin à mon accès à la "
                    "formation en cours."
                ),
                required=True,
            )


class StaffRequestForm(forms.Form):
    """A request received by post or email, typed by staff."""

    kind = forms.ChoiceField(label=_("Type de demande"), choices=PrivacyRequest.Kind.choices)
    channel = forms.ChoiceField(
        label=_("Reçue par"),
        choices=[
            (PrivacyRequest.Channel.POST, PrivacyRequest.Channel.POST.label),
            (PrivacyRequest.Channel.EMAIL, PrivacyRequest.Channel.EMAIL.label),
        ],
    )
    received_on = forms.DateField(
        label=_("Reçue le"), widget=forms.DateInput(attrs={"type": "date"})
    )
    requester_name = forms.CharField(label=_("Nom de la personne"), max_length=300)
    requester_email = forms.EmailField(
        label=_("Courriel de la personne"),
        required=False,
        help_text=_("S'il correspond à un compte, la demande y est rattachée."),
    )
    details = forms.CharField(
        label=_("Contenu de la demande"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("La date de réception ne peut pas être dans le futur."))
        return value

    def account(self):
        email = self.cleaned_data.get("requester_email")
        if not email:
            return None
        return get_user_model().objects.filter(email__iexact=email).first()


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la prolongation (envoyé à la personne)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (PrivacyRequest.Status.DONE, _("traitée")),
            (PrivacyRequest.Status.REFUSED, _("refusée (motiver la réponse)")),
        ],
    )
    answer = forms.CharField(
        label=_("Réponse envoyée à la personne"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class ApplyRectificationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    company_name = forms.CharField(label=_("Raison sociale"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Adresse postale"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("J'ai vérifié l'identité de la personne et je confirme l'anonymisation."),
        required=True,
    )

    def __init__(self, *args, ongoing=(), **kwargs):
        super().__init__(*args, **kwargs)
        if ongoing:
            self.fields["confirm_ongoing"] = forms.BooleanField(
                label=_(
                    "La personne suit une formation en cours : je confirme que l'effacement "
                    "met fin à son accès (les preuves de formation sont conservées)."
                ),
                required=True,
            )


class LinkForm(forms.Form):
    email = forms.EmailField(label=_("Adresse du compte de la personne"))
