"""Question bank (R6.3): nested categories, questions of every Moodle type we support, answers,
hints, embedded files (kept private), and import jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import qformat


class Category(models.Model):
    """A folder of the bank; `path` is the Moodle-style "a/b/c" ("/" inside a name as "//")."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("catégorie parente"),
    )
    name = models.CharField(_("nom"), max_length=255)
    path = models.CharField(_("chemin"), max_length=1000, unique=True, editable=False)
    info = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("catégorie de questions")
        verbose_name_plural = _("catégories de questions")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="quizzes_category_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="quizzes_category_name_not_empty"),
        ]

    def __str__(self):
        return self.path.replace("//", "∕").replace("/", " › ").replace("∕", "/")

    @property
    def depth(self):
        return len(qformat.split_category_path(self.path)) - 1


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE = qformat.SINGLE, _("choix unique")
        MULTIPLE = qformat.MULTIPLE, _("choix multiple")
        TRUEFALSE = qformat.TRUEFALSE, _("vrai/faux")
        SHORTANSWER = qformat.SHORTANSWER, _("réponse courte")
        NUMERICAL = qformat.NUMERICAL, _("numérique")
        MATCHING = qformat.MATCHING, _("appariement")
        ESSAY = qformat.ESSAY, _("composition")
        DESCRIPTION = qformat.DESCRIPTION, _("description")

    class Format(models.TextChoices):
        HTML = qformat.HTML, "HTML"
        MARKDOWN = qformat.MARKDOWN, "Markdown"
        PLAIN = qformat.PLAIN, _("texte brut")
        MOODLE = qformat.MOODLE, _("format automatique Moodle")

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="questions", verbose_name=_("catégorie")
    )
    qtype = models.CharField(_("type"), max_length=12, choices=Type.choices)
    name = models.CharField(_("titre"), max_length=255)
    text = models.TextField(_("énoncé"))
    text_format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.HTML
    )
    general_feedback = models.TextField(_("feedback général"), blank=True)
    general_feedback_format = models.CharField(
        max_length=10, choices=Format.choices, default=Format.HTML
    )
    default_mark = models.DecimalField(
        _("note par défaut"), max_digits=10, decimal_places=7, default=1
    )
    penalty = models.DecimalField(
        _("pénalité"), max_digits=8, decimal_places=7, default="0.3333333"
    )
    case_sensitive = models.BooleanField(_("sensible à la casse"), default=False)
    shuffle_answers = models.BooleanField(_("mélanger les réponses"), default=True)
    id_number = models.CharField(_("identifiant"), max_length=100, blank=True)
    tags = models.JSONField(_("étiquettes"), default=list, blank=True)
    options = models.JSONField(default=dict, blank=True)  # combined feedback, essay settings…
    source = models.CharField(max_length=10, blank=True)  # gift, xml, or blank (typed in)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("question")
        constraints = [
            models.CheckConstraint(condition=Q(qtype__in=qformat.TYPES), name="quizzes_q_type"),
            models.CheckConstraint(
                condition=Q(text_format__in=qformat.FORMATS)
                & Q(general_feedback_format__in=qformat.FORMATS),
                name="quizzes_q_format",
            ),
            models.CheckConstraint(condition=Q(default_mark__gte=0), name="quizzes_q_mark"),
            models.CheckConstraint(
                condition=Q(penalty__gte=0, penalty__lte=1), name="quizzes_q_penalty"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_graded_by_trainer(self):
        return self.qtype == self.Type.ESSAY


class Answer(models.Model):
    """An answer with its grade (fraction of the mark, -1…1) and feedback. Matching: `text` is the
    item on the left, `match` the one it goes with; numerical: `text` is the value or "*"."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    text_format = models.CharField(
        max_length=10, choices=Question.Format.choices, default=Question.Format.HTML
    )
    fraction = models.DecimalField(max_digits=8, decimal_places=7, default=0)
    feedback = models.TextField(blank=True)
    feedback_format = models.CharField(
        max_length=10, choices=Question.Format.choices, default=Question.Format.HTML
    )
    tolerance = models.FloatField(null=True, blank=True)
    match = models.TextField(blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="quizzes_answer_pos"),
            models.CheckConstraint(
                condition=Q(fraction__gte=-1, fraction__lte=1), name="quizzes_answer_fraction"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__isnull=True) | Q(tolerance__gte=0),
                name="quizzes_answer_tolerance",
            ),
        ]

    def __str__(self):
        return self.text[:80] or self.match[:80]


class Hint(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="hints")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    text_format = models.CharField(
        max_length=10, choices=Question.Format.choices, default=Question.Format.HTML
    )
    show_num_correct = models.BooleanField(default=False)
    clear_wrong = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="quizzes_hint_pos"),
        ]

    def __str__(self):
        return self.text[:80]


def _file_path(instance, filename):
    return f"private/quizzes/{instance.question_id}/{instance.area.replace(':', '-')}/{filename}"


class QuestionFile(models.Model):
    """A file embedded in a question (Moodle XML base64), referenced as @@PLUGINFILE@@/name.
    Stored under MEDIA_ROOT/private/, never served by the web server: only through a view that
    checks access."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    area = models.CharField(max_length=40)  # questiontext, generalfeedback, answer:0, hint:1…
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=200, default="/")
    file = models.FileField(upload_to=_file_path, max_length=500)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "area", "name"], name="quizzes_file_name"),
        ]

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    """A question import from the staff pages (R6.3): checked whole, then written whole."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        INVALID = "invalid", _("refusé : erreurs")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=4, blank=True)  # gift, xml, or blank: detect
    category = models.CharField(max_length=1000, blank=True)
    upload = models.FileField(upload_to="private/quizzes/imports/", max_length=500, blank=True)
    size = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    counts = models.JSONField(default=dict, blank=True)  # {"single": 3, …}
    errors = models.JSONField(default=list, blank=True)  # [{"where": …, "message": …, "line": …}]

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="quizzes_import_progress"),
        ]

    def __str__(self):
        return self.filename

    @property
    def total(self):
        return sum(self.counts.values())
