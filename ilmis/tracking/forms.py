from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import DocumentTemplate


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )


class StopForm(forms.Form):
    stopped_at = forms.DateField(
        label=_("Date de l'arrêt"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Motif de l'arrêt"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvaluationForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Objectifs atteints ?"),
        choices=[("", _("non évalué")), ("1", _("oui")), ("0", _("non"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    evaluation = forms.CharField(
        label=_("Résultats de l'évaluation (figurent sur l'attestation)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TutorsForm(forms.Form):
    trainers = forms.ModelMultipleChoiceField(
        label=_("Tuteurs de la session"),
        queryset=get_user_model().objects.filter(role="trainer", is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TemplateForm(forms.Form):
    body = forms.CharField(
        label=_("Modèle (HTML et langage de gabarit Django)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )
    note = forms.CharField(label=_("Note de version"), max_length=200, required=False)


SCORES = [(str(n), str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Êtes-vous satisfait(e) de la formation ? (1 : pas du tout, 5 : très satisfait)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    objectives = forms.TypedChoiceField(
        label=_("Les objectifs annoncés ont-ils été atteints ? (1 à 5)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    recommend = forms.TypedChoiceField(
        label=_("Recommanderiez-vous cette formation ?"),
        choices=[("1", _("oui")), ("0", _("non"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Action menée (appel, message, rendez-vous…)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NeedsForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Formation concernée"), queryset=None, required=False
    )
    needs = forms.CharField(
        label=_("Décrivez vos besoins (handicap, aménagements, outils…)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class AdaptationsForm(forms.Form):
    adaptations = forms.CharField(
        label=_("Adaptations mises en place"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


KIND_CHOICES = DocumentTemplate.Kind.choices
