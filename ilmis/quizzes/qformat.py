"""Questions as plain data, shared by the GIFT and Moodle XML readers and writers (R6.3).

Pure Python: no database here. The readers turn text into `Question` objects, `validate()`
applies Moodle's own rules (the grade list of `question_bank::fraction_options_full()` matched
the way `match_grade_options(..., 'error')` does, a 100 % answer where one is needed, positive
weights adding up to 100 % for multiple choice), and the import service stores the result.
"""

import re
from dataclasses import dataclass, field


def _(message):
    """French messages through Django's translation when Django is configured."""
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # settings not configured: the parser stays usable on its own
        return message


SINGLE = "single"
MULTIPLE = "multiple"
TRUEFALSE = "truefalse"
SHORTANSWER = "shortanswer"
NUMERICAL = "numerical"
MATCHING = "matching"
ESSAY = "essay"
DESCRIPTION = "description"
TYPES = (SINGLE, MULTIPLE, TRUEFALSE, SHORTANSWER, NUMERICAL, MATCHING, ESSAY, DESCRIPTION)

HTML, MARKDOWN, PLAIN, MOODLE = "html", "markdown", "plain", "moodle"
FORMATS = (HTML, MARKDOWN, PLAIN, MOODLE)

# Moodle's question_bank::fraction_options(): the only grades an answer may carry (and their
# negatives). match_grade_options() in "error" mode accepts a grade within 0.00001 of one of them.
GRADE_OPTIONS = (
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
    0.0,
)
GRADE_OPTIONS_FULL = GRADE_OPTIONS + tuple(-g for g in GRADE_OPTIONS if g)
GRADE_TOLERANCE = 0.00001
_EXACT_GRADES = frozenset(GRADE_OPTIONS_FULL)

# Characters no XML document may hold (and that no quiz needs): refused everywhere.
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


PHP_WHITESPACE = " \t\n\r\0\x0b"  # what PHP's trim() removes (Moodle trims with it)


def php_trim(text):
    return text.strip(PHP_WHITESPACE)


def match_grade(fraction):
    """The grade option `fraction` stands for, or None when Moodle would refuse it."""
    if fraction in _EXACT_GRADES:
        return fraction
    for option in GRADE_OPTIONS_FULL:
        if abs(fraction - option) < GRADE_TOLERANCE:
            return option
    return None


def format_number(value):
    """A float written the way PHP prints it: 3.0 -> "3", 0.5 -> "0.5"."""
    text = repr(float(value))
    if "e" not in text and text.endswith(".0"):
        text = text[:-2]
    return text


def percent(fraction):
    """0.3333333 -> "33.33333", -0.25 -> "-25" (the way Moodle writes weights)."""
    text = f"{fraction * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass
class Answer:
    text: str = ""
    fraction: float = 0.0
    feedback: str = ""
    format: str = MOODLE
    feedback_format: str = MOODLE
    tolerance: float | None = None  # numerical
    match: str = ""  # matching: the right-hand side (plain text); text is the left-hand side


@dataclass
class Hint:
    text: str
    format: str = HTML
    show_num_correct: bool = False
    clear_wrong: bool = False


@dataclass
class File:
    """An embedded file (Moodle XML base64), referenced in texts as @@PLUGINFILE@@/name."""

    area: str  # "questiontext", "generalfeedback", "answer:0", "feedback:0", "hint:1", …
    name: str
    content: bytes
    path: str = "/"


@dataclass
class Question:
    qtype: str
    name: str = ""
    text: str = ""
    format: str = MOODLE
    general_feedback: str = ""
    general_feedback_format: str = MOODLE
    answers: list = field(default_factory=list)
    hints: list = field(default_factory=list)
    files: list = field(default_factory=list)
    category: str = ""  # "a/b/c", a "/" inside a name written "//"
    case_sensitive: bool = False
    shuffle_answers: bool = True
    default_mark: float = 1.0
    penalty: float = 0.3333333
    id_number: str = ""
    tags: list = field(default_factory=list)
    options: dict = field(default_factory=dict)  # answernumbering, combined feedback, essay…
    line: int = 0  # GIFT: first line; XML: line of <question>
    where: str = ""  # how to name it in an error message

    def as_dict(self):
        """Every field but the position, for comparisons (round trips, tests)."""
        from dataclasses import asdict

        data = asdict(self)
        data.pop("line")
        data.pop("where")
        return data


@dataclass
class Problem:
    where: str
    message: str
    line: int | None = None

    def __str__(self):
        return f"{self.where} : {self.message}"


MAX_QUESTIONS = 50_000  # per file; ILMIS_QUESTION_IMPORT_MAX_QUESTIONS through the service
MAX_PROBLEMS = 500  # reading stops there: enough to fix a file, bounded memory for junk


def check_limits(questions, problems, max_questions, where):
    """Stop reading a file that has too many questions or too many errors."""
    if len(questions) > max_questions:
        raise ParseError(
            [
                Problem(
                    where,
                    _(
                        "Le fichier contient plus de %(n)s questions : "
                        "découpez-le en plusieurs fichiers."
                    )
                    % {"n": max_questions},
                )
            ]
        )
    if len(problems) >= MAX_PROBLEMS:
        problems.append(
            Problem(where, _("Plus de %(n)s erreurs : lecture arrêtée.") % {"n": MAX_PROBLEMS})
        )
        raise ParseError(problems)


class ParseError(ValueError):
    """Raised with every problem found; nothing of the file is to be imported."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [Problem(_("Fichier"), problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems[:20]))


# -- category paths ------------------------------------------------------------------------------

CONTEXT_PREFIX = re.compile(r"^\$(?:course|cat\d*|module|system|[a-z]+)\$/?", re.IGNORECASE)


def split_category_path(path):
    """Moodle's split_category_path(): "a/b//c" -> ["a", "b/c"]; "$course$/top/" is dropped."""
    path = CONTEXT_PREFIX.sub("", path.strip())
    names = [n.replace("\x00", "/").strip() for n in path.replace("//", "\x00").split("/")]
    names = [n for n in names if n]
    if names and names[0].lower() == "top":
        names = names[1:]
    return names


def join_category_path(names):
    return "/".join(n.replace("/", "//") for n in names)


def normalise_category(path):
    return join_category_path(split_category_path(path))


# -- validation ----------------------------------------------------------------------------------

MAX_NAME = 255


def validate(question):
    """Moodle's rules for a question being saved; returns the French messages (empty when valid).

    Fractions are replaced by the exact grade option they match, like Moodle's importer.
    """
    q = question
    errors = []
    if q.qtype not in TYPES:
        return [_("Type de question inconnu : %(type)s.") % {"type": q.qtype}]
    for text in (q.name, q.text, q.general_feedback, q.category):
        if FORBIDDEN_CHARS.search(text or ""):
            errors.append(_("Le texte contient des caractères de contrôle interdits."))
            break
    if not q.text.strip():
        errors.append(_("Le texte de la question est vide."))
    if len(q.name) > MAX_NAME:
        q.name = q.name[:MAX_NAME]
    if not (0 <= q.default_mark <= 1000):
        errors.append(_("La note par défaut doit être comprise entre 0 et 1000."))
    if not (0 <= q.penalty <= 1):
        errors.append(_("La pénalité doit être comprise entre 0 et 1."))
    if not q.general_feedback:
        q.general_feedback_format = q.format
    for answer in q.answers:
        if not answer.feedback:
            answer.feedback_format = q.format
    if q.qtype in (SINGLE, MULTIPLE, SHORTANSWER, NUMERICAL):  # Moodle skips empty answers
        q.answers = [a for a in q.answers if a.text.strip()]
    elif q.qtype == MATCHING:
        q.answers = [a for a in q.answers if a.text.strip() or a.match.strip()]
    for index, answer in enumerate(q.answers, start=1):
        if FORBIDDEN_CHARS.search(answer.text + answer.feedback + answer.match):
            errors.append(_("Réponse %(n)s : caractères de contrôle interdits.") % {"n": index})
    if q.qtype in (SINGLE, MULTIPLE, SHORTANSWER, NUMERICAL):
        for index, answer in enumerate(q.answers, start=1):
            grade = match_grade(answer.fraction)
            if grade is None:
                errors.append(
                    _(
                        "Réponse %(n)s : la note %(grade)s %% n'est pas une des notes "
                        "acceptées par Moodle (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, "
                        "40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 "
                        "et leurs opposées)."
                    )
                    % {"n": index, "grade": percent(answer.fraction)}
                )
            else:
                answer.fraction = grade
    check = _CHECKS.get(q.qtype)
    if check and not errors:
        errors.extend(check(q))
    return errors


def _check_choice(q):
    errors = []
    filled = [a for a in q.answers if a.text.strip()]
    if len(filled) < 2:
        errors.append(_("Une question à choix doit avoir au moins deux réponses."))
    elif q.qtype == SINGLE:
        if max(a.fraction for a in filled) < 0.999999:
            errors.append(
                _("Une des réponses doit valoir 100 % pour qu'on puisse obtenir la note maximale.")
            )
    else:
        total = sum(a.fraction for a in filled if a.fraction > 0)
        if round(total, 2) != 1:
            errors.append(
                _("Les notes positives des réponses totalisent %(total)s %% au lieu de 100 %%.")
                % {"total": percent(total)}
            )
    return errors


def _check_short(q):
    filled = [a for a in q.answers if a.text.strip()]
    if not filled:
        return [_("Il faut au moins une réponse acceptée.")]
    if max(a.fraction for a in filled) < 0.999999:
        return [_("Une des réponses doit valoir 100 % pour qu'on puisse obtenir la note maximale.")]
    return []


def _check_numerical(q):
    errors = _check_short(q)
    for index, answer in enumerate(q.answers, start=1):
        if answer.text != "*" and not NUMBER.match(answer.text):
            errors.append(
                _("Réponse %(n)s : « %(value)s » n'est pas un nombre.")
                % {"n": index, "value": answer.text[:40]}
            )
        if answer.tolerance is not None and answer.tolerance < 0:
            errors.append(
                _("Réponse %(n)s : la marge d'erreur ne peut pas être négative.") % {"n": index}
            )
    return errors


def _check_truefalse(q):
    texts = sorted(a.text for a in q.answers)
    if texts != ["false", "true"]:
        return [_("Une question vrai/faux a exactement les réponses « vrai » et « faux ».")]
    if sorted(a.fraction for a in q.answers) != [0, 1]:
        return [_("Une question vrai/faux a une bonne réponse et une mauvaise.")]
    return []


def _check_matching(q):
    pairs = [a for a in q.answers if a.text.strip()]
    errors = []
    if len(pairs) < 2:
        errors.append(_("Une question d'appariement doit avoir au moins deux paires."))
    for index, answer in enumerate(q.answers, start=1):
        if not answer.match.strip():
            errors.append(_("Paire %(n)s : la réponse associée est vide.") % {"n": index})
    return errors


def _check_no_answers(q):
    if q.answers:
        return [_("Ce type de question n'a pas de réponses.")]
    return []


_CHECKS = {
    SINGLE: _check_choice,
    MULTIPLE: _check_choice,
    SHORTANSWER: _check_short,
    NUMERICAL: _check_numerical,
    TRUEFALSE: _check_truefalse,
    MATCHING: _check_matching,
    ESSAY: _check_no_answers,
    DESCRIPTION: _check_no_answers,
}
