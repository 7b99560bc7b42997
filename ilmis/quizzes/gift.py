"""Moodle GIFT format: a reader that gives what Moodle's qformat_gift importer gives, and a writer.

Pure Python. `parse_gift(text)` returns `qformat.Question` objects or raises `qformat.ParseError`
listing every bad question with its first line; it never raises anything else (hypothesis tests).
It follows question/format/gift/format.php step by step (blank-line separated questions, whole
line `//` comments, escapes, `$CATEGORY:`, `::title::`, `[format]`, the answer block and its
type detection, `%weight%`, `#feedback`, `####general feedback`) and is stricter where Moodle
silently produces garbage (see docs/quizzes.md, "Where we are stricter than Moodle").
"""

import re

from .qformat import (
    DESCRIPTION,
    ESSAY,
    FORBIDDEN_CHARS,
    FORMATS,
    HTML,
    MATCHING,
    MAX_QUESTIONS,
    MOODLE,
    MULTIPLE,
    NUMBER,
    NUMERICAL,
    PHP_WHITESPACE,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    Answer,
    ParseError,
    Problem,
    Question,
    _,
    check_limits,
    format_number,
    join_category_path,
    percent,
    split_category_path,
    validate,
)

# Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPES = {
    ":": "\ue000",
    "#": "\ue001",
    "=": "\ue002",
    "{": "\ue003",
    "}": "\ue004",
    "~": "\ue005",
    "n": "\ue006",
    ">": "\ue007",  # ours: "-\\>" keeps "->" in a short answer (GIFT has no way to)
}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_PLACEHOLDERS = re.compile("[\ue000-\ue007]")
_ESCAPE_RE = re.compile(r"\\(\\|[:#={}~n>])")
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_ID = re.compile(r"\[id:((?:\\.|[^\]\\])*)\]")
_TAG = re.compile(r"\[tag:((?:\\.|[^\]\\])*)\]")
_TAGS_RE = re.compile(r"<[^>]*>")
_LINES = re.compile(r"\r\n|\r|\n")


class _Bad(Exception):
    pass


def _trim(text):
    return text.strip(PHP_WHITESPACE)  # PHP's trim(), as Moodle uses


def _pre(text):
    """Moodle's escapedchar_pre(): `\\\\` is a backslash, `\\:` `\\#` … are kept apart."""
    return _ESCAPE_RE.sub(lambda m: "\\" if m.group(1) == "\\" else _ESCAPES[m.group(1)], text)


def _post(text):
    return text.translate(_UNESCAPE)


def _with_format(text, default):
    """Moodle's parse_text_with_format(): an optional leading [html] [markdown] [plain] [moodle]."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in FORMATS:
            fmt = text[1:end]
            text = text[end + 1 :]
    return _trim(_post(text)), fmt


def _comment(answer, default):
    """Moodle's commentparser(): "answer#feedback"."""
    text, _sep, feedback = answer.partition("#")
    text, fmt = _with_format(_trim(text), default)
    if _sep:
        feedback, feedback_fmt = _with_format(_trim(feedback), default)
    else:
        feedback, feedback_fmt = "", default
    return Answer(text=text, format=fmt, feedback=feedback, feedback_format=feedback_fmt)


def _weight(answer):
    """Moodle's answerweightparser(): "%-25%rest" -> (-0.25, "rest")."""
    body = answer[1:]
    end = body.find("%")
    raw = body[:end]
    sign = -1 if raw.startswith("-") else 1
    digits = raw.lstrip("-")
    if raw.count("-") > 1 or not NUMBER.match(digits):
        raise _Bad(_("Poids de réponse invalide : « %(w)s ».") % {"w": _post(raw)[:20]})
    return sign * float(digits) / 100, body[end + 1 :]


def _split_answers(answertext, separator):
    answers = answertext.split(separator)
    answers[0] = _trim(answers[0])
    if answers[0] == "":
        answers.pop(0)
    return answers


def _need(answers, minimum):
    if len(answers) < minimum:
        raise _Bad(_("Pas assez de réponses : il en faut au moins %(n)s.") % {"n": minimum})


def _strip_tags(text):
    return _trim(re.sub(r"\s+", " ", _TAGS_RE.sub("", text)))


def _default_name(text):
    name = _strip_tags(text)
    if len(name) > 80:
        cut = name[:80].rsplit(" ", 1)[0] or name[:80]
        name = cut + "..."
    return name or _("Question")


def _unescape_comment(value):
    return re.sub(r"\\(.)", r"\1", value)


def parse_gift(text, *, category="", max_questions=MAX_QUESTIONS):
    """Every question of a GIFT file, or ParseError with each bad question and its line."""
    if not isinstance(text, str):
        raise ParseError(_("Le contenu GIFT doit être du texte."))
    if text.startswith("\ufeff"):
        text = text[1:]
    questions, problems = [], []
    base = split_category_path(category) if category else []
    state = {"category": join_category_path(base), "base": base}
    block, start = [], 0
    for number, line in enumerate(_LINES.split(text), start=1):
        stripped = _trim(line)
        if stripped:
            if not block:
                start = number
            block.append(stripped)
        elif block:
            _flush(block, start, state, questions, problems)
            block = []
            check_limits(questions, problems, max_questions, _where(start))
    if block:
        _flush(block, start, state, questions, problems)
        check_limits(questions, problems, max_questions, _where(start))
    if problems:
        raise ParseError(problems)
    return questions


def _where(line):
    return _("ligne %(n)s") % {"n": line}


def _flush(block, start, state, questions, problems):
    try:
        question = _read_question(block, state)
    except _Bad as bad:
        problems.append(Problem(_where(start), str(bad), start))
        return
    if question is not None:
        question.line = start
        errors = validate(question)
        if errors:
            problems.extend(Problem(_where(start), message, start) for message in errors)
        else:
            questions.append(question)


def _read_question(lines, state):
    comments = [line for line in lines if line.startswith("//")]
    text = _trim("\n".join(" " if line.startswith("//") else line for line in lines))
    if not text:
        return None
    if FORBIDDEN_CHARS.search(text) or _PLACEHOLDERS.search(text):
        raise _Bad(_("La question contient des caractères de contrôle ou non imprimables."))
    text = _pre(text)

    if text.startswith("$CATEGORY:"):
        path = _post(_trim(text[10:]))
        if "\n" in path:
            raise _Bad(_("Une ligne $CATEGORY doit être suivie d'une ligne vide."))
        state["category"] = join_category_path(state["base"] + split_category_path(path))
        return None

    name = None
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end >= 0:
            name = _strip_tags(_post(text[:end]))
            text = _trim(text[end + 2 :])

    start, finish = text.find("{"), text.find("}")
    description = start < 0 and finish < 0
    if description:
        answertext, questiontext = "", text
    elif start < 0 or finish < 0 or finish < start:
        raise _Bad(
            _(
                "Accolades mal appariées : il faut une « { » puis une « } » (écrivez \\{ "
                "et \\} pour des accolades dans le texte)."
            )
        )
    else:
        answertext = _trim(text[start + 1 : finish])
        if text.endswith("}"):
            questiontext = text[:start] + text[finish + 1 :]
        else:  # missing-word format: the text goes on after the answers
            questiontext = text[:start] + "_____" + text[finish + 1 :]
        if "{" in questiontext or "}" in questiontext:
            raise _Bad(
                _(
                    "Un seul bloc de réponses { … } par question (écrivez \\{ et \\} pour "
                    "des accolades dans le texte)."
                )
            )

    gf_at = answertext.rfind("####")
    if gf_at < 0:
        generalfeedback = ""
    else:
        generalfeedback = answertext[gf_at + 4 :]
        answertext = _trim(answertext[:gf_at])

    qtext, qformat = _with_format(questiontext, MOODLE)
    gf, gf_format = _with_format(generalfeedback, qformat)
    question = Question(
        qtype=DESCRIPTION,
        name=name or _default_name(qtext),
        text=qtext,
        format=qformat,
        general_feedback=gf,
        general_feedback_format=gf_format,
        category=state["category"],
    )
    comment_text = "\n".join(comments)
    if comment_text:
        found = _ID.search(comment_text)
        if found:
            question.id_number = _unescape_comment(found.group(1)).strip()
        question.tags = [_unescape_comment(t).strip() for t in _TAG.findall(comment_text)]

    if description:
        question.default_mark = 0.0
        return question
    if answertext == "":
        question.qtype = ESSAY
        question.options = {
            "responseformat": "editor",
            "responserequired": 1,
            "responsefieldlines": 15,
            "attachments": 0,
            "attachmentsrequired": 0,
            "graderinfo": {"text": "", "format": HTML},
            "responsetemplate": {"text": "", "format": HTML},
        }
        return question
    if answertext[0] == "#":
        return _numerical(question, answertext[1:])
    if "~" in answertext:
        return _multichoice(question, answertext)
    if "=" in answertext and "->" in answertext:
        return _matching(question, answertext)
    check = answertext
    if answertext.find("#") > 0:
        check = _trim(answertext[: answertext.find("#")])
    if check in ("T", "TRUE", "F", "FALSE"):
        return _truefalse(question, answertext)
    return _shortanswer(question, answertext)


def _blank_combined_feedback():
    """Moodle's add_blank_combined_feedback()."""
    blank = {
        name: {"text": "", "format": HTML}
        for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
    }
    return {**blank, "shownumcorrect": False}


def _multichoice(question, answertext):
    question.qtype = SINGLE if "=" in answertext else MULTIPLE
    question.options = {"answernumbering": "abc", **_blank_combined_feedback()}
    answers = _split_answers(answertext.replace("=", "~="), "~")
    _need(answers, 2)
    for raw in answers:
        raw = _trim(raw)
        if raw.startswith("="):
            weight, raw = 1.0, raw[1:]
        elif _WEIGHT.match(raw):
            weight, raw = _weight(raw)
        else:
            weight = 0.0
        answer = _comment(raw, question.format)
        answer.fraction = weight
        question.answers.append(answer)
    return question


def _matching(question, answertext):
    question.qtype = MATCHING
    question.options = _blank_combined_feedback()
    answers = _split_answers(answertext, "=")
    _need(answers, 2)
    for raw in answers:
        raw = _trim(raw)
        marker = raw.find("->")
        if marker < 0:
            raise _Bad(_("Appariement : chaque réponse s'écrit « =question -> réponse »."))
        text, fmt = _with_format(raw[:marker], question.format)
        question.answers.append(
            Answer(
                text=text,
                format=fmt,
                feedback_format=question.format,
                match=_trim(_post(raw[marker + 2 :])),
            )
        )
    return question


def _truefalse(question, answertext):
    question.qtype = TRUEFALSE
    question.penalty = 1.0
    bits = answertext.split("#", 2)
    value, _fmt = _with_format(_trim(bits[0]), question.format)
    bits += [""] * (3 - len(bits))
    wrong = _with_format(_trim(bits[1]), question.format)
    right = _with_format(_trim(bits[2]), question.format)
    correct = value in ("T", "TRUE")
    true_fb, false_fb = (right, wrong) if correct else (wrong, right)
    question.answers = [
        Answer(
            text="true",
            fraction=1.0 if correct else 0.0,
            feedback=true_fb[0],
            format=question.format,
            feedback_format=true_fb[1],
        ),
        Answer(
            text="false",
            fraction=0.0 if correct else 1.0,
            feedback=false_fb[0],
            format=question.format,
            feedback_format=false_fb[1],
        ),
    ]
    return question


def _shortanswer(question, answertext):
    question.qtype = SHORTANSWER
    answers = _split_answers(answertext, "=")
    _need(answers, 1)
    for raw in answers:
        raw = _trim(raw)
        weight = 1.0
        if _WEIGHT.match(raw):
            weight, raw = _weight(raw)
        answer = _comment(raw, question.format)
        answer.fraction = weight
        question.answers.append(answer)
    return question


def _numerical(question, answertext):
    question.qtype = NUMERICAL
    wrong_at = answertext.find("~")
    wrong = ""
    if wrong_at >= 0:
        answertext, wrong = answertext[:wrong_at], answertext[wrong_at:]
    answers = _split_answers(answertext, "=")
    if not answers:
        raise _Bad(_("Question numérique sans réponse."))
    for raw in answers:
        raw = _trim(raw)
        weight = 1.0
        if _WEIGHT.match(raw):
            weight, raw = _weight(raw)
        answer = _comment(raw, question.format)
        answer.fraction = weight
        value = answer.text
        if value.find("..") > 0:
            low, high = _trim(value[: value.find("..")]), _trim(value[value.find("..") + 2 :])
            _numbers(low, high)
            middle = (float(high) + float(low)) / 2
            answer.text, answer.tolerance = format_number(middle), float(high) - middle
        elif value.find(":") > 0:
            number, tolerance = _trim(value[: value.find(":")]), _trim(value[value.find(":") + 1 :])
            _numbers(number, tolerance, star=True)
            answer.text, answer.tolerance = number, float(tolerance)
        else:
            _numbers(_trim(value), star=True)
            answer.text, answer.tolerance = _trim(value), 0.0
        question.answers.append(answer)
    if wrong:
        answer = _comment(wrong, question.format)
        answer.text, answer.fraction, answer.tolerance = "*", 0.0, None
        question.answers.append(answer)
    return question


def _numbers(*values, star=False):
    for index, value in enumerate(values):
        if star and index == 0 and value == "*":
            continue
        if not NUMBER.match(value) or abs(float(value)) == float("inf"):
            raise _Bad(
                _("« %(v)s » n'est pas un nombre (écrivez 3.14, 3.14:0.01 ou 1..5).")
                % {"v": _post(value)[:40]}
            )


# -- writer ----------------------------------------------------------------------------------------

_RESERVED = str.maketrans(
    {
        "\\": "\\\\",
        "#": "\\#",
        "=": "\\=",
        "~": "\\~",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
        "\r": "",
    }
)


def escape(text):
    """Moodle's repchar(): GIFT's reserved characters escaped, new lines as \\n."""
    return text.translate(_RESERVED)


def _text(text, fmt, default):
    prefix = f"[{fmt}]" if fmt != default or text.startswith("[") else ""
    return prefix + escape(text)


def _feedback(answer, default):
    if not answer.feedback:
        return ""
    return "#" + _text(answer.feedback, answer.feedback_format, default)


def write_gift(questions):
    """A GIFT file Moodle imports back into the same questions (hints and files have no GIFT
    syntax: use Moodle XML to keep them)."""
    out = []
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: $course$/top/{category}".rstrip("/") + "\n\n")
        out.append(write_question(question) + "\n\n")
    return "".join(out)


def write_question(q):
    lines = []
    marks = [f"[id:{q.id_number.replace(']', chr(92) + ']')}]"] if q.id_number else []
    marks += [f"[tag:{t.replace(']', chr(92) + ']')}]" for t in q.tags]
    if marks:
        lines.append("// " + " ".join(marks))
    head = f"::{escape(q.name)}::[{q.format}]{escape(q.text)}"
    fmt = q.format
    gf = ""
    if q.general_feedback:
        gf = "\t####" + _text(q.general_feedback, q.general_feedback_format, fmt)
    if q.qtype == DESCRIPTION:
        lines.append(head)
        return "\n".join(lines)
    if q.qtype == ESSAY:
        lines.append(head + "{" + gf[1:] + "}")
        return "\n".join(lines)
    if q.qtype == TRUEFALSE:
        right = next(a for a in q.answers if a.fraction >= 1)
        wrong = next(a for a in q.answers if a is not right)
        body = "TRUE" if right.text == "true" else "FALSE"
        if wrong.feedback or right.feedback:
            body += "#" + _text(wrong.feedback, wrong.feedback_format, fmt)
            if right.feedback:
                body += "#" + _text(right.feedback, right.feedback_format, fmt)
        lines.append(head + "{" + body + gf[1:] + "}")
        return "\n".join(lines)
    lines.append(head + "{" + ("#" if q.qtype == NUMERICAL else ""))
    first_full = True
    for index, a in enumerate(q.answers):
        if q.qtype == SINGLE:
            if a.fraction >= 1 and first_full:
                first_full = False
                mark = "="
            else:
                mark = f"~%{percent(a.fraction)}%"
            lines.append("\t" + mark + _text(a.text, a.format, fmt) + _feedback(a, fmt))
        elif q.qtype == MULTIPLE:
            lines.append(
                f"\t~%{percent(a.fraction)}%" + _text(a.text, a.format, fmt) + _feedback(a, fmt)
            )
        elif q.qtype == SHORTANSWER:  # "->" would make it a matching question
            line = _text(a.text, a.format, fmt) + _feedback(a, fmt)
            lines.append(f"\t=%{percent(a.fraction)}%" + line.replace("->", "-\\>"))
        elif q.qtype == MATCHING:
            left = _text(a.text, a.format, fmt) if a.text else ""
            lines.append(f"\t={left} -> {escape(a.match)}")
        elif q.qtype == NUMERICAL:
            last = index == len(q.answers) - 1
            if a.text == "*" and a.tolerance is None and not a.fraction and last:
                lines.append("\t~" + (_feedback(a, fmt) or "#"))
                continue
            value = a.text
            if a.tolerance:
                value += ":" + format_number(a.tolerance)
            lines.append(f"\t=%{percent(a.fraction)}%{value}" + _feedback(a, fmt))
    if gf:
        lines.append(gf)
    lines.append("}")
    return "\n".join(lines)
