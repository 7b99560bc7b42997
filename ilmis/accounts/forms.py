from allauth.account import forms as allauth_forms
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from ilmis.core.antibot import HumanCheckMixin

from .models import Client, User
from .validators import normalise_siret, validate_phone, validate_siret


class HumanCheckedAllauthForm(HumanCheckMixin):
    """allauth builds its forms without the request; its middleware keeps it in a context."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, request=context.request, **kwargs)


class SignupForm(HumanCheckedAllauthForm, allauth_forms.SignupForm):
    """R3.1: the identity a client must give; R3.2: robots refused."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    phone = forms.CharField(label=_("Téléphone"), max_length=20, validators=[validate_phone])
    address = forms.CharField(
        label=_("Adresse postale"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(
        label=_("Vous êtes"),
        choices=Client.Kind.choices,
        widget=forms.RadioSelect,
        initial=Client.Kind.PERSON,
    )
    company_name = forms.CharField(label=_("Raison sociale"), max_length=200, required=False)
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        required=False,
        help_text=_("14 chiffres, pour une entreprise."),
    )

    field_order = [
        "kind",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "company_name",
        "siret",
        "password1",
        "password2",
    ]

    def clean_siret(self):
        return normalise_siret(self.cleaned_data.get("siret", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Client.Kind.COMPANY:
            if not cleaned.get("company_name"):
                self.add_error("company_name", _("Indiquez la raison sociale de l'entreprise."))
            siret = cleaned.get("siret")
            if not siret:
                self.add_error("siret", _("Le SIRET est obligatoire pour une entreprise."))
            else:
                try:
                    validate_siret(siret)
                except forms.ValidationError as error:
                    self.add_error("siret", error)
                else:
                    if Client.objects.filter(siret=siret).exists():
                        self.add_error(
                            "siret",
                            _(
                                "Cette entreprise a déjà un compte : demandez à son responsable "
                                "de vous créer un accès."
                            ),
                        )
        return cleaned

    def custom_signup(self, request, user):
        from . import services

        services.complete_signup(user, self.cleaned_data)


class ResetPasswordForm(HumanCheckedAllauthForm, allauth_forms.ResetPasswordForm):
    pass


class LearnerForm(forms.ModelForm):
    """A manager creates one learner of their company (R3.3)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Un compte existe déjà avec cette adresse."))
        return email


class LearnerImportForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "Colonnes : prenom, nom, email, telephone (facultatif). UTF-8, « ; » ou « , »."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo."))
        raw = upload.read()
        if b"\x00" in raw:
            raise forms.ValidationError(_("Ce fichier n'est pas un fichier CSV (texte)."))
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Le fichier doit être encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »).")
            ) from None
        if not text.strip():
            raise forms.ValidationError(_("Le fichier est vide."))
        return {"name": upload.name[:255], "text": text}


class FraudReportForm(forms.Form):
    description = forms.CharField(
        label=_("Ce que vous avez remarqué (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PublicFraudReportForm(HumanCheckMixin, forms.Form):
    email = forms.EmailField(label=_("Votre adresse électronique"))
    description = FraudReportForm.base_fields["description"]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "address", "language"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "language": forms.Select(choices=[("fr", "Français"), ("en", "English")]),
        }
