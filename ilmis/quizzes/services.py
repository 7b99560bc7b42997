"""Question bank rules (R6.3): who may use it, import (checked whole, written whole), export."""

import logging
import re
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record

from . import qformat
from .gift import parse_gift, write_gift
from .models import Answer, Category, Hint, ImportJob, Question, QuestionFile
from .moodlexml import parse_xml, write_xml

logger = logging.getLogger(__name__)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
BATCH = 1000


def can_manage_bank(user):
    """The one access rule of the question bank: trainers and back-office staff only."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_trainer or user.is_back_office)
    )


def can_attempt(user, quiz, now=None):
    """The one access rule for taking a quiz: trainers and staff may always try it; a learner
    only through the quiz's learning activity, with access to its programme now (enrolled and
    inside the access window: ilmis.enrolment.access.has_access)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if can_manage_bank(user):
        return True
    if quiz.activity_id is None:
        return False
    from ilmis.enrolment.access import has_access

    return has_access(user, quiz.activity.module.programme, now=now)


def can_see_question(user, question):
    """Trainers and staff; or a learner who has this question in an attempt of a quiz they may
    still reach (used for the files embedded in questions)."""
    if can_manage_bank(user):
        return True
    if not (user and user.is_authenticated):
        return False
    from .models import AttemptQuestion, Quiz

    quiz_ids = AttemptQuestion.objects.filter(attempt__user=user, question=question).values(
        "attempt__quiz"
    )
    quizzes = Quiz.objects.filter(pk__in=quiz_ids).select_related("activity__module__programme")
    return any(can_attempt(user, quiz) for quiz in quizzes)


def max_import_bytes():
    return int(getattr(settings, "ILMIS_QUESTION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# -- categories ----------------------------------------------------------------------------------


def category_for_path(path, *, cache=None):
    """The category at "a/b/c", created with its parents when missing."""
    names = qformat.split_category_path(path)
    if not names:
        names = [_("Défaut")]
    cache = {} if cache is None else cache
    parent = None
    for depth in range(1, len(names) + 1):
        key = qformat.join_category_path(names[:depth])
        category = cache.get(key)
        if category is None:
            category, _created = Category.objects.get_or_create(
                path=key, defaults={"name": names[depth - 1][:255], "parent": parent}
            )
            cache[key] = category
        parent = category
    return parent


def category_tree():
    """Every category with its number of questions, in path order (one query)."""
    from django.db.models import Count

    return Category.objects.annotate(question_count=Count("questions")).order_by("path")


def descendants(category):
    """`category` and every category below it."""
    prefix = category.path + "/"
    return Category.objects.filter(path=category.path) | Category.objects.filter(
        path__startswith=prefix
    )


# -- import --------------------------------------------------------------------------------------


def detect_format(data):
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "xml" if head.startswith((b"<?xml", b"<quiz")) else "gift"


def decode_text(data):
    """GIFT text must be UTF-8 (Moodle's requirement); the error names the line."""
    if b"\x00" in data[:1_000_000] or data.count(b"\x00") > 0:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise qformat.ParseError(
            [
                qformat.Problem(
                    _("ligne %(n)s") % {"n": line},
                    _("Fichier binaire : ce n'est pas un fichier texte GIFT."),
                    line,
                )
            ]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise qformat.ParseError(
            [
                qformat.Problem(
                    _("ligne %(n)s") % {"n": line},
                    _(
                        "Le fichier doit être encodé en UTF-8 (enregistrez-le en UTF-8 puis "
                        "importez-le à nouveau)."
                    ),
                    line,
                )
            ]
        ) from None


def parse(data, *, fmt=None, category=""):
    """Read a GIFT or Moodle XML file into checked questions, or raise ParseError listing every
    problem. Never any other exception, whatever the bytes."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    limit = max_import_bytes()
    if len(data) > limit:
        raise qformat.ParseError(
            _("Le fichier fait %(size)s Mo : la limite est de %(max)s Mo.")
            % {"size": round(len(data) / 1048576, 1), "max": round(limit / 1048576, 1)}
        )
    if not data.strip():
        raise qformat.ParseError(_("Le fichier est vide."))
    fmt = fmt or detect_format(data)
    try:
        most = int(getattr(settings, "ILMIS_QUESTION_IMPORT_MAX_QUESTIONS", qformat.MAX_QUESTIONS))
        if fmt == "xml":
            questions = parse_xml(data, category=category, max_questions=most)
        elif fmt == "gift":
            questions = parse_gift(decode_text(data), category=category, max_questions=most)
        else:
            raise qformat.ParseError(_("Format inconnu : %(f)s (gift ou xml).") % {"f": fmt})
    except qformat.ParseError:
        raise
    except (RecursionError, MemoryError, ValueError, TypeError) as error:  # never a crash page
        logger.warning("question import: unreadable file (%s)", error)
        raise qformat.ParseError(
            _("Fichier illisible : ce n'est pas un fichier %(f)s valide.") % {"f": fmt.upper()}
        ) from None
    if not questions:
        raise qformat.ParseError(_("Le fichier ne contient aucune question."))
    return questions


def _dec(value):
    return Decimal(f"{value:.7f}")


def _insert(model, columns, rows, *, returning=False):
    """Multi-row INSERTs without the ORM's per-value work (10,000 questions in well under 5 s);
    values are already what the database expects. Returns the new ids in row order."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    per_statement = max(
        1, min(500, (connection.features.max_query_params or 30000) // len(columns))
    )
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            # only quoted model names and placeholders: the values go as parameters
            values = ", ".join([row_sql] * len(chunk))
            sql = f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608
            params = [value for row in chunk for value in row]
            if returning:
                cursor.execute(sql + " RETURNING " + quote("id"), params)
                # one statement's new ids ascend in VALUES order, whatever order RETURNING uses
                ids.extend(sorted(row[0] for row in cursor.fetchall()))
            else:
                cursor.execute(sql, params)
    return ids


QUESTION_COLUMNS = (
    "category",
    "qtype",
    "name",
    "text",
    "text_format",
    "general_feedback",
    "general_feedback_format",
    "default_mark",
    "penalty",
    "case_sensitive",
    "shuffle_answers",
    "id_number",
    "tags",
    "options",
    "source",
    "created_by",
    "created_at",
    "updated_at",
)
ANSWER_COLUMNS = (
    "question",
    "position",
    "text",
    "text_format",
    "fraction",
    "feedback",
    "feedback_format",
    "tolerance",
    "match",
)
HINT_COLUMNS = ("question", "position", "text", "text_format", "show_num_correct", "clear_wrong")


def store(questions, *, by=None, source="", on_progress=None):
    """Write parsed (and checked) questions in one transaction; returns the count per type."""
    counts = Counter()
    cache = {}
    total = len(questions)
    json_prep = Question._meta.get_field("tags").get_db_prep_save
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    by_id = by.pk if by is not None else None
    with transaction.atomic():
        for start in range(0, total, BATCH):
            chunk = questions[start : start + BATCH]
            rows = [
                (
                    category_for_path(q.category, cache=cache).pk,
                    q.qtype,
                    q.name[:255],
                    q.text,
                    q.format,
                    q.general_feedback,
                    q.general_feedback_format,
                    _dec(q.default_mark),
                    _dec(q.penalty),
                    q.case_sensitive,
                    q.shuffle_answers,
                    q.id_number[:100],
                    json_prep(q.tags, connection),
                    json_prep(q.options, connection),
                    source,
                    by_id,
                    now,
                    now,
                )
                for q in chunk
            ]
            ids = _insert(Question, QUESTION_COLUMNS, rows, returning=True)
            answers, hints = [], []
            for q, pk in zip(chunk, ids, strict=True):
                counts[q.qtype] += 1
                answers.extend(
                    (
                        pk,
                        i,
                        a.text,
                        a.format,
                        _dec(a.fraction),
                        a.feedback,
                        a.feedback_format,
                        a.tolerance,
                        a.match,
                    )
                    for i, a in enumerate(q.answers)
                )
                hints.extend(
                    (pk, i, h.text, h.format, h.show_num_correct, h.clear_wrong)
                    for i, h in enumerate(q.hints)
                )
                for f in q.files:
                    stored = QuestionFile(
                        question_id=pk,
                        area=f.area,
                        name=f.name,
                        path=f.path,
                        size=len(f.content),
                    )
                    stored.file.save(f.name, ContentFile(f.content), save=False)
                    stored.save()
            _insert(Answer, ANSWER_COLUMNS, answers)
            _insert(Hint, HINT_COLUMNS, hints)
            if on_progress:
                on_progress(min(start + BATCH, total), total)
    return dict(counts)


def import_questions(data, *, fmt=None, category="", by=None, on_progress=None):
    """Parse then store; ParseError (nothing written) or the count per type (R6.3)."""
    fmt = fmt or (detect_format(data.encode() if isinstance(data, str) else data))
    questions = parse(data, fmt=fmt, category=category)
    if on_progress:
        on_progress(0, len(questions))
    counts = store(questions, by=by, source=fmt, on_progress=on_progress)
    record(
        "quizzes.questions_imported", None, actor=by, format=fmt, counts=counts, category=category
    )
    return counts


def start_import(user, *, filename, data, fmt="", category=""):
    """Keep the upload and queue the import; the page polls the job (progress bar)."""
    if not can_manage_bank(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    job = ImportJob(
        created_by=user,
        filename=filename[:255],
        format=fmt or "",
        category=category[:1000],
        size=len(data),
    )
    job.upload.save(
        re.sub(r"[^\w.-]", "_", filename)[-100:] or "import", ContentFile(data), save=False
    )
    job.save()
    from .tasks import run_import_task

    transaction.on_commit(lambda: run_import_task(job.pk))
    return job


def run_import(job_id):
    """Run a queued import: every question checked, then all written or none."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, progress=5)

    def progress(done, total):
        percent = 50 + int(49 * done / max(total, 1))
        ImportJob.objects.filter(pk=job.pk).update(progress=percent)

    try:
        with job.upload.open("rb") as handle:
            data = handle.read()
        questions = parse(data, fmt=job.format or None, category=job.category)
        ImportJob.objects.filter(pk=job.pk).update(progress=50)
        fmt = job.format or detect_format(data)
        counts = store(questions, by=job.created_by, source=fmt, on_progress=progress)
    except qformat.ParseError as error:
        job.status, job.progress, job.counts = ImportJob.Status.INVALID, 100, {}
        job.errors = [
            {"where": p.where, "message": p.message, "line": p.line} for p in error.problems[:1000]
        ]
        if len(error.problems) > 1000:
            job.errors.append(
                {
                    "where": "…",
                    "message": _("%(n)s autres erreurs.") % {"n": len(error.problems) - 1000},
                    "line": None,
                }
            )
    except Exception:  # nothing was written (one transaction); say so rather than hang
        logger.exception("question import %s failed", job.pk)
        job.status, job.progress, job.counts = ImportJob.Status.INVALID, 100, {}
        job.errors = [
            {
                "where": _("Fichier"),
                "line": None,
                "message": _(
                    "Erreur inattendue pendant l'import : aucune question n'a été importée. "
                    "Réessayez ; si l'erreur persiste, contactez l'assistance."
                ),
            }
        ]
    else:
        job.status, job.progress, job.counts, job.errors = ImportJob.Status.DONE, 100, counts, []
        record(
            "quizzes.questions_imported",
            job,
            actor=job.created_by,
            format=fmt,
            counts=counts,
            category=job.category,
        )
    job.upload.delete(save=False)
    job.save(update_fields=["status", "progress", "counts", "errors", "upload"])
    return job


# -- export --------------------------------------------------------------------------------------


def to_qformat(question, *, answers=None, hints=None, files=None):
    """A stored question as plain data. Pass its answers, hints and files already read (as
    qformat objects) to avoid a query each; otherwise they are read here."""
    if answers is None:
        answers = [_answer_data(row) for row in question.answers.values_list(*_ANSWER_FIELDS)]
    if hints is None:
        hints = [_hint_data(row) for row in question.hints.values_list(*_HINT_FIELDS)]
    if files is None:
        files = [_file_data(f) for f in question.files.all()]
    return qformat.Question(
        qtype=question.qtype,
        name=question.name,
        text=question.text,
        format=question.text_format,
        general_feedback=question.general_feedback,
        general_feedback_format=question.general_feedback_format,
        answers=answers,
        hints=hints,
        files=files,
        category=question.category.path,
        case_sensitive=question.case_sensitive,
        shuffle_answers=question.shuffle_answers,
        default_mark=float(question.default_mark),
        penalty=float(question.penalty),
        id_number=question.id_number,
        tags=list(question.tags),
        options=dict(question.options),
    )


_ANSWER_FIELDS = (
    "text",
    "fraction",
    "feedback",
    "text_format",
    "feedback_format",
    "tolerance",
    "match",
    "question_id",
)
_HINT_FIELDS = ("text", "text_format", "show_num_correct", "clear_wrong", "question_id")


def _answer_data(row):
    return qformat.Answer(
        text=row[0],
        fraction=float(row[1]),
        feedback=row[2],
        format=row[3],
        feedback_format=row[4],
        tolerance=row[5],
        match=row[6],
    )


def _hint_data(row):
    return qformat.Hint(text=row[0], format=row[1], show_num_correct=row[2], clear_wrong=row[3])


def _file_data(stored):
    with stored.file.open("rb") as handle:
        return qformat.File(
            area=stored.area, name=stored.name, content=handle.read(), path=stored.path
        )


def questions_for_export(category=None, *, recursive=True):
    queryset = Question.objects.select_related("category").order_by("category__path", "id")
    if category is not None:
        categories = descendants(category) if recursive else Category.objects.filter(pk=category.pk)
        queryset = queryset.filter(category__in=categories)
    return queryset


def export_data(queryset):
    """Plain-data questions for `queryset`, in a handful of queries whatever their number."""
    from collections import defaultdict

    stored = list(queryset)
    answers, hints, files = defaultdict(list), defaultdict(list), defaultdict(list)
    ids = [q.pk for q in stored]
    for start in range(0, len(ids), 900):
        part = ids[start : start + 900]
        for row in (
            Answer.objects.filter(question_id__in=part)
            .order_by("question_id", "position")
            .values_list(*_ANSWER_FIELDS)
        ):
            answers[row[-1]].append(_answer_data(row))
        for row in (
            Hint.objects.filter(question_id__in=part)
            .order_by("question_id", "position")
            .values_list(*_HINT_FIELDS)
        ):
            hints[row[-1]].append(_hint_data(row))
        for f in QuestionFile.objects.filter(question_id__in=part).order_by("id"):
            files[f.question_id].append(_file_data(f))
    return [
        to_qformat(q, answers=answers[q.pk], hints=hints[q.pk], files=files[q.pk]) for q in stored
    ]


def export_questions(category=None, *, fmt="gift", recursive=True, by=None):
    """The questions of `category` (and below) as GIFT text or Moodle XML bytes."""
    questions = export_data(questions_for_export(category, recursive=recursive))
    record("quizzes.questions_exported", category, actor=by, format=fmt, count=len(questions))
    if fmt == "xml":
        return write_xml(questions)
    return write_gift(questions).encode("utf-8")


# -- quiz settings ---------------------------------------------------------------------------------


@transaction.atomic
def save_quiz(form, *, by, activity=None):
    """Create or update a quiz from its settings form (trainers and staff)."""
    if not can_manage_bank(by):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    created = form.instance.pk is None
    quiz = form.save(commit=False)
    if created:
        quiz.created_by = by
        quiz.activity = activity
    quiz.save()
    record("quizzes.quiz_created" if created else "quizzes.quiz_updated", quiz, actor=by)
    return quiz


@transaction.atomic
def add_slots(quiz, *, category, mode, count=None, mark=None, by=None):
    """Add every question of `category` (in bank order) or one random-draw slot; returns how
    many places were added."""
    from .models import Quiz, QuizSlot

    Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
    start = (quiz.slots.aggregate(m=models.Max("position"))["m"] or -1) + 1
    if mode == "draw":
        available = (
            Question.objects.filter(category__in=descendants(category))
            .exclude(qtype=qformat.DESCRIPTION)
            .count()
        )
        if available < count:
            raise ValidationError(
                _("La catégorie n'a que %(n)s questions pour ce tirage.") % {"n": available}
            )
        QuizSlot.objects.create(
            quiz=quiz, position=start, draw_category=category, draw_count=count, mark=mark
        )
        added = 1
    else:
        ids = list(category.questions.order_by("id").values_list("pk", flat=True))
        QuizSlot.objects.bulk_create(
            [
                QuizSlot(quiz=quiz, position=start + i, question_id=pk, mark=mark)
                for i, pk in enumerate(ids)
            ]
        )
        added = len(ids)
    record(
        "quizzes.quiz_slots_added", quiz, actor=by, category=category.path, mode=mode, added=added
    )
    return added


@transaction.atomic
def remove_slot(slot, *, by=None):
    quiz = slot.quiz
    slot.delete()
    record("quizzes.quiz_slot_removed", quiz, actor=by, position=slot.position)


@transaction.atomic
def delete_question(question, *, by):
    """Delete a question no quiz uses and no attempt holds (attempts are evidence)."""
    from .models import AttemptQuestion, QuizSlot

    if not can_manage_bank(by):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    used = (
        QuizSlot.objects.filter(question=question).exists()
        or AttemptQuestion.objects.filter(question=question).exists()
    )
    if used:
        raise ValidationError(
            _(
                "Cette question est utilisée par un QCM ou une tentative : "
                "elle ne peut pas être supprimée."
            )
        )
    for stored in question.files.all():
        stored.file.delete(save=False)
    record(
        "quizzes.question_deleted",
        question,
        actor=by,
        name=question.name,
        category=question.category.path,
    )
    question.delete()
