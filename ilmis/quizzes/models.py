"""Question bank (R6.3): nested categories, questions of every Moodle type we support, answers,
hints, embedded files (kept private), and import jobs."""

import uuid

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


# -- quizzes and attempts (R6.3, R11.3) -----------------------------------------------------------


class Quiz(models.Model):
    """A quiz's settings; it reaches learners through a learning activity of a programme."""

    class Purpose(models.TextChoices):
        POSITIONING = "positioning", _("positionnement à l'entrée")
        CHECKPOINT = "checkpoint", _("évaluation intermédiaire")
        FINAL = "final", _("évaluation finale")

    class When(models.TextChoices):
        IMMEDIATELY = "immediately", _("immédiatement, question par question")
        AFTER_ATTEMPT = "after_attempt", _("après la tentative")
        AFTER_CLOSE = "after_close", _("après la date de fermeture")
        NEVER = "never", _("jamais")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.OneToOneField(
        "learning.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quiz",
        verbose_name=_("activité"),
    )
    title = models.CharField(_("titre"), max_length=200)
    intro = models.TextField(_("consignes"), blank=True)
    purpose = models.CharField(
        _("objet"), max_length=12, choices=Purpose.choices, default=Purpose.CHECKPOINT
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("tentatives autorisées"), default=1, help_text=_("0 : illimité.")
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("durée limite (minutes)"), default=0, help_text=_("0 : sans limite.")
    )
    opens_at = models.DateTimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.DateTimeField(_("fermeture"), null=True, blank=True)
    shuffle_questions = models.BooleanField(_("mélanger les questions"), default=False)
    shuffle_answers = models.BooleanField(_("mélanger les réponses"), default=True)
    pass_mark = models.DecimalField(
        _("seuil de réussite (%)"), max_digits=5, decimal_places=2, default=50
    )
    feedback_when = models.CharField(
        _("feedback montré"), max_length=14, choices=When.choices, default=When.AFTER_ATTEMPT
    )
    correction_when = models.CharField(
        _("correction montrée"), max_length=14, choices=When.choices, default=When.AFTER_ATTEMPT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("QCM")
        verbose_name_plural = _("QCM")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="quizzes_quiz_pass_mark"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="quizzes_quiz_window",
            ),
        ]

    def __str__(self):
        return self.title


class QuizSlot(models.Model):
    """One place in a quiz: a chosen question, or `draw_count` questions drawn at random from a
    category (and its sub-categories) when an attempt starts."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draw_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    draw_count = models.PositiveSmallIntegerField(default=1)
    include_subcategories = models.BooleanField(default=True)
    mark = models.DecimalField(
        max_digits=10,
        decimal_places=7,
        null=True,
        blank=True,
        help_text=_("Vide : la note par défaut de la question."),
    )

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quizzes_slot_position"),
            models.CheckConstraint(
                condition=(
                    Q(question__isnull=False, draw_category__isnull=True)
                    | Q(question__isnull=True, draw_category__isnull=False)
                ),
                name="quizzes_slot_question_or_draw",
            ),
            models.CheckConstraint(condition=Q(draw_count__gte=1), name="quizzes_slot_count"),
        ]

    def __str__(self):
        return f"{self.quiz_id} #{self.position}"


class Attempt(models.Model):
    """One learner's attempt (R11.3: score, time and identity are kept). The deadline is fixed
    when it starts, from the server's clock; an attempt past it is closed with its saved answers
    by whoever touches it first (or the periodic job)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("en cours")
        FINISHED = "finished", _("terminée")

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    closed_by_timeout = models.BooleanField(default=False)
    max_score = models.DecimalField(max_digits=12, decimal_places=7, default=0)
    score = models.DecimalField(max_digits=12, decimal_places=7, null=True, blank=True)
    needs_grading = models.BooleanField(default=False)
    passed = models.BooleanField(null=True)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="quizzes_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(status="in_progress"),
                name="quizzes_one_open_attempt",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="quizzes_attempt_number_pos"),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.quiz} — {self.user} — {self.number}"

    @property
    def is_open(self):
        return self.status == self.Status.IN_PROGRESS

    def is_expired(self, now):
        return self.is_open and self.deadline is not None and now >= self.deadline

    @property
    def percent(self):
        if self.score is None or not self.max_score:
            return None
        return float(self.score) * 100 / float(self.max_score)


class AttemptQuestion(models.Model):
    """A question as drawn for one attempt, with its answer order and the learner's latest saved
    response. `sequence` is the number of the last write accepted: writes are idempotent and
    one older than the last is refused."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    mark = models.DecimalField(max_digits=10, decimal_places=7)
    layout = models.JSONField(default=dict)  # {"order": [answer positions], "choices": [...]}
    response = models.JSONField(null=True, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)  # immediate feedback: answer locked
    fraction = models.DecimalField(max_digits=8, decimal_places=7, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grader_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="quizzes_item_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="quizzes_item_question"),
            models.CheckConstraint(
                condition=Q(fraction__isnull=True) | Q(fraction__gte=0, fraction__lte=1),
                name="quizzes_item_fraction",
            ),
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position}"

    @property
    def score(self):
        return None if self.fraction is None else self.fraction * self.mark
