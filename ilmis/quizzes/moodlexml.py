"""Moodle XML question format: reader and writer (R6.3).

Untrusted input: lxml with resolve_entities=False, no_network=True, huge_tree=False, no DTD
loading, and any DOCTYPE or ENTITY declaration refused before parsing (XXE, billion laughs).
The reader follows question/format/xml/format.php (import_headers, import_multichoice, …); the
writer produces what Moodle's exporter writes, CDATA and base64 files included.
"""

import base64
import binascii
import re

from lxml import etree

from .qformat import (
    DESCRIPTION,
    ESSAY,
    HTML,
    MARKDOWN,
    MATCHING,
    MAX_QUESTIONS,
    MOODLE,
    MULTIPLE,
    NUMERICAL,
    PLAIN,
    SHORTANSWER,
    SINGLE,
    TRUEFALSE,
    Answer,
    File,
    Hint,
    ParseError,
    Problem,
    Question,
    _,
    check_limits,
    join_category_path,
    percent,
    php_trim,
    split_category_path,
    validate,
)

FROM_MOODLE = {
    "html": HTML,
    "moodle_auto_format": MOODLE,
    "plain_text": PLAIN,
    "markdown": MARKDOWN,
    "wiki_like": MOODLE,
}
TO_MOODLE = {HTML: "html", MOODLE: "moodle_auto_format", PLAIN: "plain_text", MARKDOWN: "markdown"}
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")
COMBINED = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
ESSAY_INTS = (
    "responserequired",
    "responsefieldlines",
    "attachments",
    "attachmentsrequired",
    "maxbytes",
    "minwordlimit",
    "maxwordlimit",
)


class _Bad(Exception):
    pass


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data, *, category="", max_questions=MAX_QUESTIONS):
    """Every question of a Moodle XML file, or ParseError listing each bad one with its position."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(
            _("Le fichier XML doit être encodé en UTF-8 (octet invalide en position %(pos)s).")
            % {"pos": error.start}
        ) from None
    if _DECLARATION.search(text):
        raise ParseError(
            _(
                "Les déclarations DOCTYPE et ENTITY sont refusées : un fichier Moodle "
                "XML n'en contient pas (protection contre les entités XML)."
            )
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise ParseError(
            [
                Problem(
                    _("ligne %(n)s") % {"n": error.lineno or 1},
                    _("XML invalide : %(msg)s") % {"msg": error.msg},
                    error.lineno,
                )
            ]
        ) from None
    if root.tag != "quiz":
        raise ParseError(_("L'élément racine doit être <quiz> (export Moodle XML)."))
    questions, problems = [], []
    current = join_category_path(split_category_path(category)) if category else ""
    base = current
    for index, element in enumerate(root.iterchildren("question"), start=1):
        where = _("question n° %(i)s (ligne %(line)s)") % {"i": index, "line": element.sourceline}
        qtype = element.get("type", "")
        try:
            if qtype == "category":
                path = split_category_path(_text(element, "category"))
                current = join_category_path(split_category_path(base) + path)
                continue
            question = _read_question(element, qtype)
        except _Bad as bad:
            problems.append(Problem(where, str(bad), element.sourceline))
            check_limits(questions, problems, max_questions, where)
            continue
        question.category, question.line, question.where = current, element.sourceline, where
        errors = validate(question)
        if errors:
            problems.extend(Problem(where, message, element.sourceline) for message in errors)
        else:
            questions.append(question)
        check_limits(questions, problems, max_questions, where)
    if problems:
        raise ParseError(problems)
    return questions


# -- reading helpers -------------------------------------------------------------------------------


def _text(element, name=None, default=""):
    """The trimmed <text> of child `name` (or of element itself)."""
    node = element if name is None else element.find(name)
    if node is None:
        return default
    text_node = node.find("text")
    if text_node is None:
        return default
    return php_trim("".join(text_node.itertext()))


def _value(element, name, default=""):
    node = element.find(name)
    if node is None:
        return default
    return php_trim("".join(node.itertext()))


def _flag(element, name, default=False):
    """Moodle's trans_single(): "true" or "1" is true."""
    node = element.find(name)
    if node is None:
        return default
    return "".join(node.itertext()).strip().lower() in ("true", "1")


def _number(element, name, default):
    raw = _value(element, name, None)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise _Bad(
            _("<%(el)s> : « %(v)s » n'est pas un nombre.") % {"el": name, "v": raw[:30]}
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _Bad(_("<%(el)s> : nombre invalide.") % {"el": name})
    return value


def _format(node, default):
    if node is None or node.get("format") is None:
        return default
    return FROM_MOODLE.get(node.get("format"), MOODLE)


def _files(node, area, question):
    if node is None:
        return
    for file_node in node.findall("file"):
        name = (file_node.get("name") or "").strip()
        if not _SAFE_NAME.match(name) or name in (".", ".."):
            raise _Bad(_("<file> : nom de fichier invalide « %(n)s ».") % {"n": name[:60]})
        if (file_node.get("encoding") or "base64") != "base64":
            raise _Bad(
                _("<file> « %(n)s » : seul l'encodage base64 est pris en charge.") % {"n": name}
            )
        raw = re.sub(r"\s+", "", "".join(file_node.itertext()))
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _Bad(_("<file> « %(n)s » : contenu base64 invalide.") % {"n": name}) from None
        question.files.append(
            File(area=area, name=name, content=content, path=file_node.get("path") or "/")
        )


def _formatted(element, name, default, question, area=None):
    node = element.find(name)
    _files(node, area or name, question)
    return _text(element, name), _format(node, default)


def _fraction(node, position):
    raw = (node.get("fraction") or "0").strip()
    try:
        value = float(raw)
    except ValueError:
        raise _Bad(
            _("<answer> n° %(n)s : fraction « %(v)s » invalide.") % {"n": position, "v": raw[:20]}
        ) from None
    if value != value or abs(value) == float("inf"):
        raise _Bad(_("<answer> n° %(n)s : fraction invalide.") % {"n": position})
    return value / 100


def _answer(node, position, question, default_format):
    index = position - 1
    _files(node, f"answer:{index}", question)
    feedback_node = node.find("feedback")
    _files(feedback_node, f"feedback:{index}", question)
    return Answer(
        text=_text(node),
        format=_format(node, default_format),
        fraction=_fraction(node, position),
        feedback=_text(node, "feedback"),
        feedback_format=_format(feedback_node, question.format),
    )


def _read_question(element, qtype):
    reader = _READERS.get(qtype)
    if reader is None:
        raise _Bad(
            _(
                "Type de question « %(t)s » non pris en charge (types acceptés : "
                "multichoice, truefalse, shortanswer, numerical, matching, essay, "
                "description)."
            )
            % {"t": qtype[:40]}
        )
    question = Question(qtype=DESCRIPTION)
    question.name = _text(element, "name")[:255]
    question.text, question.format = _formatted(element, "questiontext", HTML, question)
    question.general_feedback, question.general_feedback_format = _formatted(
        element, "generalfeedback", question.format, question
    )
    question.default_mark = _number(element, "defaultgrade", 1.0)
    question.penalty = _number(element, "penalty", 0.3333333)
    question.id_number = _value(element, "idnumber")[:100]
    tags = element.find("tags")
    if tags is not None:
        question.tags = [_text(tag) for tag in tags.findall("tag") if _text(tag)]
    for position, hint in enumerate(element.findall("hint")):
        _files(hint, f"hint:{position}", question)
        question.hints.append(
            Hint(
                text=_text(hint),
                format=_format(hint, HTML),
                show_num_correct=hint.find("shownumcorrect") is not None,
                clear_wrong=hint.find("clearwrong") is not None,
            )
        )
    reader(element, question)
    if not question.name:
        from .gift import _default_name

        question.name = _default_name(question.text)
    return question


def _combined(element, question):
    for name in COMBINED:
        text, fmt = _formatted(element, name, HTML, question)
        question.options[name] = {"text": text, "format": fmt}
    question.options["shownumcorrect"] = element.find("shownumcorrect") is not None


def _multichoice(element, question):
    question.qtype = SINGLE if _flag(element, "single", True) else MULTIPLE
    question.shuffle_answers = _flag(element, "shuffleanswers", True)
    question.options["answernumbering"] = _value(element, "answernumbering", "abc")[:10] or "abc"
    _combined(element, question)
    for position, node in enumerate(element.findall("answer"), start=1):
        question.answers.append(_answer(node, position, question, question.format))


def _truefalse(element, question):
    question.qtype = TRUEFALSE
    nodes = element.findall("answer")
    if len(nodes) != 2:
        raise _Bad(_("Une question vrai/faux a exactement deux <answer>."))
    found = {}
    for position, node in enumerate(nodes, start=1):
        text = _text(node).lower()
        if text not in ("true", "false"):  # old files: true first, then false (like Moodle)
            text = "true" if position == 1 else "false"
        found[text] = _answer(node, position, question, question.format)
    if set(found) != {"true", "false"}:
        raise _Bad(_("Une question vrai/faux a une réponse « true » et une réponse « false »."))
    correct_true = found["true"].fraction == 1
    question.answers = []
    for key, fraction in (
        ("true", 1.0 if correct_true else 0.0),
        ("false", 0.0 if correct_true else 1.0),
    ):
        answer = found[key]
        answer.text, answer.fraction, answer.format = key, fraction, question.format
        question.answers.append(answer)


def _shortanswer(element, question):
    question.qtype = SHORTANSWER
    question.case_sensitive = _flag(element, "usecase", False)
    for position, node in enumerate(element.findall("answer"), start=1):
        question.answers.append(_answer(node, position, question, question.format))


def _numerical(element, question):
    question.qtype = NUMERICAL
    for position, node in enumerate(element.findall("answer"), start=1):
        answer = _answer(node, position, question, question.format)
        answer.tolerance = _number(node, "tolerance", None)
        question.answers.append(answer)


def _matching(element, question):
    question.qtype = MATCHING
    question.shuffle_answers = _flag(element, "shuffleanswers", True)
    _combined(element, question)
    for position, node in enumerate(element.findall("subquestion")):
        _files(node, f"answer:{position}", question)
        question.answers.append(
            Answer(
                text=_text(node),
                format=_format(node, question.format),
                feedback_format=question.format,
                match=_text(node, "answer"),
            )
        )


def _essay(element, question):
    question.qtype = ESSAY
    options = {"responseformat": _value(element, "responseformat", "editor")[:20] or "editor"}
    for name in ESSAY_INTS:
        options[name] = int(
            _number(
                element,
                name,
                1 if name == "responserequired" else 15 if name == "responsefieldlines" else 0,
            )
        )
    options["filetypeslist"] = _value(element, "filetypeslist")[:500]
    for name in ("graderinfo", "responsetemplate"):
        text, fmt = _formatted(element, name, HTML, question)
        options[name] = {"text": text, "format": fmt}
    question.options = options


def _description(element, question):
    question.qtype = DESCRIPTION


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "essay": _essay,
    "description": _description,
}

# -- writer ----------------------------------------------------------------------------------------

QTYPE_TO_MOODLE = {
    SINGLE: "multichoice",
    MULTIPLE: "multichoice",
    TRUEFALSE: "truefalse",
    SHORTANSWER: "shortanswer",
    NUMERICAL: "numerical",
    MATCHING: "matching",
    ESSAY: "essay",
    DESCRIPTION: "description",
}


def _put_text(parent, text):
    node = etree.SubElement(parent, "text")
    if text:
        node.text = etree.CDATA(text) if "]]>" not in text else text
    return node


def _put_formatted(parent, name, text, fmt, files=(), area=None):
    node = etree.SubElement(parent, name, format=TO_MOODLE.get(fmt, "html"))
    _put_text(node, text)
    _put_files(node, files, area or name)
    return node


def _put_files(node, files, area):
    for file in files:
        if file.area == area:
            element = etree.SubElement(
                node, "file", name=file.name, path=file.path or "/", encoding="base64"
            )
            element.text = base64.b64encode(file.content).decode("ascii")


def _put_value(parent, name, value):
    etree.SubElement(parent, name).text = str(value)


def write_xml(questions):
    """A Moodle XML document (bytes, UTF-8) holding `questions` and their categories."""
    quiz = etree.Element("quiz")
    category = None
    for q in questions:
        if q.category != category:
            category = q.category
            node = etree.SubElement(quiz, "question", type="category")
            cat = etree.SubElement(node, "category")
            _put_text(cat, "$course$/top" + (f"/{category}" if category else ""))
            info = etree.SubElement(node, "info", format="moodle_auto_format")
            _put_text(info, "")
        _write_question(quiz, q)
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_question(quiz, q):
    files = q.files
    node = etree.SubElement(quiz, "question", type=QTYPE_TO_MOODLE[q.qtype])
    _put_text(etree.SubElement(node, "name"), q.name)
    _put_formatted(node, "questiontext", q.text, q.format, files)
    _put_formatted(node, "generalfeedback", q.general_feedback, q.general_feedback_format, files)
    _put_value(node, "defaultgrade", f"{q.default_mark:.7f}")
    _put_value(node, "penalty", f"{q.penalty:.7f}")
    _put_value(node, "hidden", 0)
    _put_value(node, "idnumber", q.id_number)
    options = q.options or {}
    if q.qtype in (SINGLE, MULTIPLE):
        _put_value(node, "single", "true" if q.qtype == SINGLE else "false")
        _put_value(node, "shuffleanswers", "true" if q.shuffle_answers else "false")
        _put_value(node, "answernumbering", options.get("answernumbering", "abc"))
    if q.qtype == MATCHING:
        _put_value(node, "shuffleanswers", "true" if q.shuffle_answers else "false")
    if q.qtype in (SINGLE, MULTIPLE, MATCHING):
        for name in COMBINED:
            value = options.get(name) or {"text": "", "format": HTML}
            _put_formatted(node, name, value["text"], value["format"], files)
        if options.get("shownumcorrect"):
            etree.SubElement(node, "shownumcorrect")
    if q.qtype == SHORTANSWER:
        _put_value(node, "usecase", 1 if q.case_sensitive else 0)
    if q.qtype == ESSAY:
        _put_value(node, "responseformat", options.get("responseformat", "editor"))
        for name in ESSAY_INTS:
            default = 1 if name == "responserequired" else 15 if name == "responsefieldlines" else 0
            _put_value(node, name, options.get(name, default))
        _put_value(node, "filetypeslist", options.get("filetypeslist", ""))
        for name in ("graderinfo", "responsetemplate"):
            value = options.get(name) or {"text": "", "format": HTML}
            _put_formatted(node, name, value["text"], value["format"], files)
    for index, a in enumerate(q.answers):
        if q.qtype == MATCHING:
            sub = etree.SubElement(node, "subquestion", format=TO_MOODLE.get(a.format, "html"))
            _put_text(sub, a.text)
            _put_files(sub, files, f"answer:{index}")
            _put_text(etree.SubElement(sub, "answer"), a.match)
            continue
        answer = etree.SubElement(
            node, "answer", fraction=percent(a.fraction), format=TO_MOODLE.get(a.format, "html")
        )
        _put_text(answer, a.text)
        _put_files(answer, files, f"answer:{index}")
        _put_formatted(
            answer, "feedback", a.feedback, a.feedback_format, files, area=f"feedback:{index}"
        )
        if q.qtype == NUMERICAL and a.tolerance is not None:
            _put_value(answer, "tolerance", repr(a.tolerance))
    for index, hint in enumerate(q.hints):
        element = _put_formatted(node, "hint", hint.text, hint.format, files, area=f"hint:{index}")
        if hint.show_num_correct:
            etree.SubElement(element, "shownumcorrect")
        if hint.clear_wrong:
            etree.SubElement(element, "clearwrong")
    if q.tags:
        tags = etree.SubElement(node, "tags")
        for tag in q.tags:
            _put_text(etree.SubElement(tags, "tag"), tag)
