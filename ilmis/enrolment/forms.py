import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ilmis.accounts.validators import normalise_siret, validate_phone, validate_siret
from ilmis.catalog.models import Session
from ilmis.core.antibot import HumanCheckMixin

from .models import AgreementTemplate, Channel, Funder, PreRegistration

MAX_TRAINEES = 50
FUNDERS_BY_KIND = {
    "person": {Funder.SELF, Funder.CPF, Funder.FRANCE_TRAVAIL},
    "company": {Funder.COMPANY, Funder.OPCO},
}
DATA_FIELDS = [
    "kind",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "job_title",
    "company_name",
    "siret",
    "funder",
    "funder_name",
    "file_number",
    "funding_amount",
    "message",
]


def parse_trainees(text):
    """One learner a line: « Prénom ; Nom ; adresse » (commas or tabs also work). Returns
    (rows, errors) with errors naming the line."""
    rows, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[;,\t]", line) if p.strip()]
        if len(parts) != 3:
            errors.append(
                _("Ligne %(n)s : écrivez « prénom ; nom ; adresse électronique ».") % {"n": number}
            )
            continue
        first, last, email = parts
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Ligne %(n)s : adresse électronique invalide « %(email)s ».")
                % {"n": number, "email": email[:100]}
            )
            continue
        if email.lower() in seen:
            errors.append(_("Ligne %(n)s : adresse en double.") % {"n": number})
            continue
        seen.add(email.lower())
        rows.append({"first_name": first[:150], "last_name": last[:150], "email": email.lower()})
    if len(rows) > MAX_TRAINEES:
        errors.append(_("%(max)s stagiaires au plus par demande.") % {"max": MAX_TRAINEES})
    return rows, errors


class PreRegistrationFields(forms.ModelForm):
    trainees_text = forms.CharField(
        label=gettext_lazy("Stagiaires (entreprise)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "Inès ; Petit ; ines.petit@exemple.fr"}
        ),
        help_text=gettext_lazy("Un stagiaire par ligne : prénom ; nom ; adresse électronique."),
    )

    class Meta:
        model = PreRegistration
        fields = DATA_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 2}),
            "message": forms.Textarea(attrs={"rows": 3}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        help_texts = {
            "job_title": gettext_lazy(
                "Pour une entreprise : la personne qui signera la convention."
            ),
            "file_number": gettext_lazy("Si vous l'avez déjà (OPCO, CPF, France Travail)."),
        }

    field_order = [
        "kind",
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "company_name",
        "siret",
        "job_title",
        "trainees_text",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PreRegistration.Kind.choices
        self.fields["phone"].validators.append(validate_phone)
        self.fields["funding_amount"].widget.attrs["inputmode"] = "decimal"
        self.trainees = []

    def clean_siret(self):
        return normalise_siret(self.cleaned_data.get("siret", ""))

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == PreRegistration.Kind.COMPANY:
            if not cleaned.get("company_name"):
                self.add_error("company_name", _("Indiquez la raison sociale de l'entreprise."))
            if not cleaned.get("siret"):
                self.add_error("siret", _("Indiquez le SIRET de l'entreprise (14 chiffres)."))
            else:
                try:
                    validate_siret(cleaned["siret"])
                except ValidationError as error:
                    self.add_error("siret", error)
            rows, errors = parse_trainees(cleaned.get("trainees_text"))
            if errors:
                self.add_error("trainees_text", errors)
            elif not rows:
                self.add_error("trainees_text", _("Indiquez au moins un stagiaire."))
            self.trainees = rows
        funder = cleaned.get("funder")
        if kind and funder and funder not in FUNDERS_BY_KIND[kind]:
            allowed = ", ".join(str(Funder(f).label) for f in sorted(FUNDERS_BY_KIND[kind]))
            self.add_error(
                "funder",
                _("Pour ce type de demande, choisissez : %(allowed)s.") % {"allowed": allowed},
            )
        if funder in (Funder.OPCO,) and not cleaned.get("funder_name"):
            self.add_error("funder_name", _("Indiquez le nom de l'OPCO."))
        return cleaned

    def data_for_service(self):
        data = {f: self.cleaned_data.get(f) for f in DATA_FIELDS}
        if data["kind"] == PreRegistration.Kind.PERSON:
            data["company_name"], data["siret"] = "", ""
        return {k: ("" if v is None and k != "funding_amount" else v) for k, v in data.items()}


class PublicPreRegistrationForm(HumanCheckMixin, PreRegistrationFields):
    consent = forms.BooleanField(
        label=gettext_lazy(
            "J'accepte que ces informations soient utilisées pour traiter ma "
            "demande d'inscription (voir la page Données personnelles)."
        ),
        error_messages={"required": gettext_lazy("Cochez cette case pour envoyer la demande.")},
    )


class StaffPreRegistrationForm(PreRegistrationFields):
    session = forms.ModelChoiceField(
        label=gettext_lazy("Session"),
        queryset=Session.objects.select_related("programme").order_by("-start_date"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Reçue par"),
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.PHONE, Channel.PHONE.label)],
    )
    field_order = ["session", "channel", *PreRegistrationFields.field_order]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    read = forms.BooleanField(
        label=gettext_lazy("J'ai lu la convention (PDF ci-dessus) et j'en accepte les termes."),
        error_messages={"required": gettext_lazy("Confirmez avoir lu le document.")},
    )
    terms = forms.BooleanField(
        label=gettext_lazy("J'accepte les conditions d'utilisation de la plateforme."),
        error_messages={
            "required": gettext_lazy(
                "L'acceptation des conditions d'utilisation "
                "est nécessaire pour confirmer l'inscription."
            )
        },
    )
    esign = forms.BooleanField(
        label=gettext_lazy(
            "Je signe électroniquement avec un code à usage unique reçu par "
            "courriel ; ma signature a la même valeur qu'une signature manuscrite."
        ),
        error_messages={"required": gettext_lazy("Cochez cette case pour signer en ligne.")},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code reçu par courriel (6 chiffres)"),
        max_length=7,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(_("Le code comporte 6 chiffres."))
        return code


class ScanForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Convention signée numérisée (PDF, JPEG ou PNG, 10 Mo au maximum)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Document à vérifier (PDF, JPEG ou PNG)"))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > 20 * 1024 * 1024:
            raise ValidationError(_("Fichier trop volumineux (20 Mo au maximum)."))
        return uploaded


class AccessWindowForm(forms.Form):
    access_start = forms.DateTimeField(
        label=gettext_lazy("Début d'accès"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    access_end = forms.DateTimeField(
        label=gettext_lazy("Fin d'accès"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=gettext_lazy("Motif de la modification"), max_length=300)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("access_start"), cleaned.get("access_end")
        if start and end and end <= start:
            self.add_error("access_end", _("La fin d'accès doit être postérieure au début."))
        return cleaned


class TemplateForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Modèle (HTML et langage de gabarit Django)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
    )
    note = forms.CharField(label=gettext_lazy("Note de version"), max_length=200, required=False)


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Je confirme me rétracter : l'inscription est annulée et aucune somme n'est due."
        ),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


TEMPLATE_KINDS = dict(AgreementTemplate.Kind.choices)
