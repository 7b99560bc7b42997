from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from . import content
from .models import Exercise


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Votre réponse"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    files = MultipleFileField(label=_("Fichiers"), required=False)

    def __init__(self, *args, exercise, **kwargs):
        super().__init__(*args, **kwargs)
        if not exercise.accepts_text:
            del self.fields["text"]
        if exercise.allowed_types:
            labels = ", ".join(str(content.FILE_TYPES[k][0]) for k in exercise.allowed_types)
            self.fields["files"].help_text = _(
                "Types acceptés : %(types)s ; %(mb)s Mo au plus par fichier, "
                "%(n)s fichier(s) au plus."
            ) % {"types": labels, "mb": exercise.max_file_mb, "n": exercise.max_files}
            extensions = [content.FILE_TYPES[k][2] for k in exercise.allowed_types]
            if ".jpg" in extensions:
                extensions.append(".jpeg")
            self.fields["files"].widget.attrs["accept"] = ",".join(extensions)
        else:
            del self.fields["files"]


class ExerciseForm(forms.ModelForm):
    allowed_types = forms.MultipleChoiceField(
        label=_("Types de fichiers acceptés"),
        choices=content.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vérifiés d'après le contenu du fichier, pas son nom."),
    )
    correction_upload = forms.FileField(label=_("Corrigé (fichier)"), required=False)

    class Meta:
        model = Exercise
        fields = [
            "instructions",
            "due_at",
            "accepts_text",
            "allowed_types",
            "max_file_mb",
            "max_files",
            "max_grade",
            "corrector",
            "correction_text",
        ]
        widgets = {
            "due_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "instructions": forms.Textarea(attrs={"rows": 6}),
            "correction_text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrector"].queryset = (
            get_user_model()
            .objects.filter(role__in=["trainer", "staff", "admin"], is_active=True)
            .order_by("last_name", "first_name")
        )

    def clean(self):
        data = super().clean()
        if not data.get("accepts_text") and not data.get("allowed_types"):
            raise forms.ValidationError(
                _("Acceptez une réponse écrite ou au moins un type de fichier.")
            )
        return data


class GradeForm(forms.Form):
    grade = forms.DecimalField(label=_("Note"), min_value=0, max_digits=5, decimal_places=2)
    comments = forms.CharField(
        label=_("Commentaires"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    annotated = forms.FileField(label=_("Copie annotée (facultatif)"), required=False)

    def __init__(self, *args, max_grade, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].max_value = max_grade
        self.fields["grade"].validators.append(MaxValueValidator(max_grade))
        self.fields["grade"].help_text = _("Sur %(max)s.") % {"max": max_grade}
