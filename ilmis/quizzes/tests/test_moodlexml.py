"""Moodle XML reader and writer (R6.3): every type, CDATA, base64 files, hints, Moodle's grade list,
and hostile documents refused with a clear error."""

import pytest

from ilmis.quizzes.moodlexml import parse_xml, write_xml
from ilmis.quizzes.qformat import ParseError

from .samples import MOODLE_XML, PNG


@pytest.fixture
def questions():
    return parse_xml(MOODLE_XML.encode())


def by_name(questions, name):
    return next(q for q in questions if q.name == name)


def test_category_path_from_moodle_context(questions):
    assert {q.category for q in questions} == {"Default for Bureautique/Excel"}
    assert len(questions) == 8


def test_single_choice_with_cdata_image_hints_and_tags(questions):
    q = by_name(questions, "Cellule active")
    assert q.qtype == "single" and q.format == "html"
    assert (
        q.text == '<p>Quelle cellule est active ? <img src="@@PLUGINFILE@@/grille.png" '
        'alt="grille"></p>'
    )
    assert q.general_feedback == "<p>La cellule active est encadrée.</p>"
    assert (q.default_mark, q.penalty, q.id_number) == (2.0, 0.3333333, "XL-1")
    assert q.shuffle_answers is False
    assert q.options["answernumbering"] == "ABCD"
    assert q.options["correctfeedback"] == {"text": "Bravo.", "format": "html"}
    assert q.options["shownumcorrect"] is True
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("<p>B2</p>", 1.0, "<p>Oui &amp; bien vu</p>"),
        ("A1", 0.0, ""),
    ]
    [image] = q.files
    assert (image.area, image.name, image.content) == ("questiontext", "grille.png", PNG)
    assert [(h.text, h.show_num_correct, h.clear_wrong) for h in q.hints] == [
        ("<p>Regardez le cadre.</p>", True, False),
        ("Encore.", False, True),
    ]
    assert q.tags == ["excel", "débutant"]


def test_multiple_choice_negative_weights_and_formats(questions):
    q = by_name(questions, "Formats")
    assert (q.qtype, q.format) == ("multiple", "moodle")
    assert [(a.text, a.fraction, a.format) for a in q.answers] == [
        ("xlsx", 0.5, "plain"),
        ("xls", 0.5, "plain"),
        ("docx", -1.0, "plain"),
    ]
    assert (q.answers[2].feedback, q.answers[2].feedback_format) == ("**Non**", "markdown")


def test_true_false(questions):
    q = by_name(questions, "Somme")
    assert q.qtype == "truefalse" and q.penalty == 1.0
    assert [(a.text, a.fraction, a.feedback) for a in q.answers] == [
        ("true", 1.0, "Exact."),
        ("false", 0.0, "Si, elle additionne."),
    ]


def test_short_answer_case_and_wildcard(questions):
    q = by_name(questions, "Fonction")
    assert q.qtype == "shortanswer" and q.case_sensitive is True
    assert [(a.text, a.fraction) for a in q.answers] == [("NB", 1.0), ("NB*", 0.5)]


def test_numerical_tolerance_and_catch_all(questions):
    q = by_name(questions, "Colonnes")
    assert [(a.text, a.tolerance, a.fraction, a.feedback) for a in q.answers] == [
        ("16.384", 0.001, 1.0, ""),
        ("*", 0.0, 0.0, "Non"),
    ]


def test_matching_with_distractor(questions):
    q = by_name(questions, "Raccourcis")
    assert q.qtype == "matching"
    assert [(a.text, a.match) for a in q.answers] == [
        ("Ctrl+C", "Copier"),
        ("Ctrl+V", "Coller"),
        ("", "Couper"),
    ]


def test_essay_options(questions):
    q = by_name(questions, "Tableau croisé")
    assert (q.qtype, q.default_mark, q.penalty) == ("essay", 5.0, 0.0)
    assert q.options["responsefieldlines"] == 10 and q.options["maxwordlimit"] == 300
    assert q.options["graderinfo"] == {"text": "Attendu : sources, champs.", "format": "html"}


def test_description(questions):
    q = by_name(questions, "Consigne")
    assert (q.qtype, q.format, q.text, q.answers) == (
        "description",
        "markdown",
        "Lisez **attentivement**.",
        [],
    )


def test_xml_round_trip_keeps_everything(questions):
    """R6.3: export then import preserves questions, files and hints included."""
    again = parse_xml(write_xml(questions))
    assert [q.as_dict() for q in again] == [q.as_dict() for q in questions]
    assert b"<![CDATA[<p>B2</p>]]>" in write_xml(questions)


def test_grade_moodle_refuses_is_reported_with_position():
    """R6.3: 33 % is not in Moodle's list (33.33333 is): the question is named by position."""
    bad = MOODLE_XML.replace(
        '<answer fraction="50" format="plain_text"><text>xlsx',
        '<answer fraction="33" format="plain_text"><text>xlsx',
    )
    with pytest.raises(ParseError) as error:
        parse_xml(bad.encode())
    [problem] = error.value.problems
    assert problem.where.startswith("question n° 3 (ligne ")
    assert "33" in problem.message and "Réponse 1" in problem.message
    near = MOODLE_XML.replace(
        'fraction="50" format="plain_text"><text>xlsx',
        'fraction="50.000001" format="plain_text"><text>xlsx',
    )
    assert by_name(parse_xml(near.encode()), "Formats").answers[0].fraction == 0.5


def test_every_bad_question_listed():
    bad = MOODLE_XML.replace('type="truefalse"', 'type="calculated"').replace(
        "<text>Associez.</text>", "<text></text>"
    )
    with pytest.raises(ParseError) as error:
        parse_xml(bad.encode())
    messages = [p.message for p in error.value.problems]
    assert len(messages) == 2
    assert "calculated" in messages[0] and "vide" in messages[1]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<quiz><question type="description"><name><text>&lol9;</text></name>
<questiontext><text>&lol9;</text></questiontext></question></quiz>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="description"><name><text>x</text></name>
<questiontext><text>&xxe;</text></questiontext></question></quiz>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entities_refused_clearly(data):
    with pytest.raises(ParseError) as error:
        parse_xml(data)
    assert "DOCTYPE" in str(error.value)


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"<quiz>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</quiz>", "XML invalide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "UTF-8"),
        (b"<quiz><question type='description'>", "XML invalide"),
        (b"<html><body>x</body></html>", "<quiz>"),
        (
            b"<quiz><question type='description'><name><text>&undefined;</text></name>"
            b"</question></quiz>",
            "XML invalide",
        ),
    ],
    ids=["deep", "binary", "truncated", "not-moodle", "undefined-entity"],
)
def test_hostile_or_broken_xml_gives_clear_error(data, expected):
    with pytest.raises(ParseError) as error:
        parse_xml(data)
    assert expected in str(error.value)


def test_bad_base64_and_bad_file_name_refused():
    bad = MOODLE_XML.replace(
        'name="grille.png" path="/" encoding="base64">',
        'name="../../etc/passwd" path="/" encoding="base64">',
    )
    with pytest.raises(ParseError) as error:
        parse_xml(bad.encode())
    assert "nom de fichier invalide" in str(error.value)
    bad = MOODLE_XML.replace('encoding="base64">iVBOR', 'encoding="base64">!!!!')
    with pytest.raises(ParseError) as error:
        parse_xml(bad.encode())
    assert "base64" in str(error.value)


def test_old_true_false_without_true_false_words():
    xml = MOODLE_XML.replace("<text>true</text>", "<text>Vrai</text>").replace(
        "<text>false</text>", "<text>Faux</text>"
    )
    q = by_name(parse_xml(xml.encode()), "Somme")
    assert [(a.text, a.fraction) for a in q.answers] == [("true", 1.0), ("false", 0.0)]
