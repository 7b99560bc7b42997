from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ilmis.accounts.models import User
from ilmis.catalog.models import Session

from . import graph, services
from .models import PARIS


class LiveClassForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=Session.objects.select_related("programme").order_by("-start_date", "code"),
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Début (heure de Paris)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("Fin (heure de Paris)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    trainer = forms.ModelChoiceField(
        label=_("Formateur"),
        queryset=User.objects.filter(role=User.Role.TRAINER, is_active=True),
    )
    join_url = forms.URLField(
        label=_("Lien de la réunion Teams"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_(
            "Collez le lien « Rejoindre la réunion » de Microsoft Teams (https://teams."
            "microsoft.com/… ou https://teams.live.com/…)."
        ),
    )

    def __init__(self, *args, live_class=None, user=None, **kwargs):
        self.live_class = live_class
        self.graph = (
            graph.is_configured()
            if live_class is None
            else (live_class.provider == live_class.Provider.GRAPH)
        )
        if live_class is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "session": live_class.session_id,
                "title": live_class.title,
                "day": live_class.local_start().date(),
                "start_time": live_class.local_start().time(),
                "end_time": live_class.local_end().time(),
                "trainer": live_class.trainer_id,
                "join_url": live_class.join_url,
            }
        super().__init__(*args, **kwargs)
        if user is not None and user.is_trainer and live_class is None:
            self.fields["trainer"].initial = user.pk
        if live_class is not None:
            del self.fields["session"]
        if self.graph:
            del self.fields["join_url"]

    def clean_join_url(self):
        return services.validate_join_url(self.cleaned_data.get("join_url"))

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["start"] = datetime.combine(day, start, tzinfo=PARIS)
            data["end"] = datetime.combine(day, end, tzinfo=PARIS)
            try:
                services.validate_times(
                    data["start"],
                    data["end"],
                    creating=self.live_class is None or data["start"] != self.live_class.start,
                )
            except ValidationError as error:
                raise ValidationError(error.messages) from error
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (envoyé aux apprenants)"),
        max_length=300,
        required=False,
        widget=forms.TextInput,
    )
