from django import forms
from django.utils.translation import gettext_lazy as _


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class WindowForm(forms.Form):
    """The rules (notice, emergency reason, order of dates) live in services: one place."""

    starts_at = forms.DateTimeField(
        label=_("Début"),
        widget=DateTimeLocalInput(),
        help_text=_("Heure de Paris. Au moins 72 heures après maintenant, sauf urgence."),
    )
    ends_at = forms.DateTimeField(
        label=_("Fin prévue"), widget=DateTimeLocalInput(), help_text=_("Heure de Paris.")
    )
    affected = forms.CharField(
        label=_("Ce qui est concerné"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ce qui sera indisponible, en termes simples : il figure dans le courriel et "
            "le bandeau."
        ),
    )
    emergency = forms.BooleanField(label=_("Urgence"), required=False)
    emergency_reason = forms.CharField(
        label=_("Motif de l'urgence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour une urgence annoncée moins de 72 heures à l'avance."),
    )
