"""Import service and commands (R6.3): all or nothing, counts per type, round trips through the
database, size limit, hostile files, files kept private."""

import io
import os

import pytest
from django.core.management import CommandError, call_command

from ilmis.audit.models import AuditEvent
from ilmis.quizzes import services
from ilmis.quizzes.gift import parse_gift
from ilmis.quizzes.models import Answer, Category, Question, QuestionFile
from ilmis.quizzes.moodlexml import parse_xml
from ilmis.quizzes.qformat import ParseError

from .samples import GIFT_ALL_TYPES, MOODLE_XML, PNG

pytestmark = pytest.mark.django_db


def test_gift_import_counts_per_type_and_nested_categories():
    """R6.3: one question of each type lands in the file's category, under the one chosen."""
    counts = services.import_questions(GIFT_ALL_TYPES.encode(), category="Formation A")
    assert counts == {
        "truefalse": 1,
        "single": 1,
        "multiple": 1,
        "shortanswer": 1,
        "numerical": 1,
        "matching": 1,
        "essay": 1,
        "description": 1,
    }
    category = Category.objects.get(path="Formation A/Démo")
    assert category.parent == Category.objects.get(path="Formation A", parent=None)
    assert category.questions.count() == 8
    mc = Question.objects.get(name="MC")
    assert [(a.text, float(a.fraction)) for a in mc.answers.all()] == [
        ("a", 0.5),
        ("b", 0.5),
        ("c", -1.0),
    ]
    assert AuditEvent.objects.filter(action="quizzes.questions_imported").count() == 1


def test_nothing_imported_when_one_question_is_bad():
    """R6.3: every bad question is listed by line and nothing is written."""
    text = GIFT_ALL_TYPES + "\n::Bad:: Pick {~%33%a ~b}\n\n::Bad2:: { oops\n"
    with pytest.raises(ParseError) as error:
        services.import_questions(text.encode())
    assert [p.line for p in error.value.problems] == [20, 22]
    assert Question.objects.count() == 0 and Category.objects.count() == 0


def test_gift_round_trip_through_the_database():
    """R6.3: import -> export -> import gives the same questions."""
    services.import_questions(GIFT_ALL_TYPES.encode())
    exported = services.export_questions(fmt="gift")
    first = [q.as_dict() for q in parse_gift(GIFT_ALL_TYPES)]
    assert [q.as_dict() for q in parse_gift(exported.decode())] == first
    Question.objects.all().delete()
    Category.objects.all().delete()
    services.import_questions(exported)
    assert [q.as_dict() for q in parse_gift(services.export_questions().decode())] == first


def test_xml_round_trip_through_the_database_keeps_files_and_hints():
    """R6.3: Moodle XML with a base64 image and hints survives import -> export -> import."""
    services.import_questions(MOODLE_XML.encode(), fmt="xml")
    stored = QuestionFile.objects.get()
    assert stored.file.name.startswith("private/quizzes/")
    with stored.file.open("rb") as handle:
        assert handle.read() == PNG
    exported = services.export_questions(fmt="xml")
    assert [q.as_dict() for q in parse_xml(exported)] == [
        q.as_dict() for q in parse_xml(MOODLE_XML.encode())
    ]


def test_export_of_one_category_and_below():
    services.import_questions(GIFT_ALL_TYPES.encode(), category="A")
    services.import_questions(b"::Other:: Elsewhere {T}", category="B")
    text = services.export_questions(Category.objects.get(path="A"), fmt="gift").decode()
    assert "::TF::" in text and "Elsewhere" not in text


def test_size_limit(settings):
    settings.ILMIS_QUESTION_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ParseError) as error:
        services.import_questions(b"Q {T}\n\n" * 200)
    assert "limite" in str(error.value)
    assert Question.objects.count() == 0


@pytest.mark.parametrize(
    "data,expected",
    [
        (os.urandom(4096), "binaire"),
        (b"\xff\xfe\x00Q{T}", "binaire"),
        (b"Question {T}\n\n\xe9t\xe9 {T}", "UTF-8"),
        (b"   \n\n  ", "vide"),
        (b"// only a comment\n", "aucune question"),
    ],
    ids=["random", "utf16", "latin1", "blank", "comments-only"],
)
def test_hostile_gift_gives_clear_error(data, expected):
    with pytest.raises(ParseError) as error:
        services.import_questions(data, fmt="gift")
    assert expected in str(error.value)


def test_fifty_megabytes_refused_before_parsing():
    """R6.3: a 50 MB file is refused by size, quickly, with the limit in the message."""
    data = b"x" * (50 * 1024 * 1024)
    with pytest.raises(ParseError) as error:
        services.parse(data)
    assert "20.0 Mo" in str(error.value)


def test_latin1_error_names_the_line():
    with pytest.raises(ParseError) as error:
        services.import_questions(b"Q {T}\n\n\nCaf\xe9 {T}", fmt="gift")
    assert error.value.problems[0].line == 4


def test_import_command_prints_counts(tmp_path):
    path = tmp_path / "demo.gift"
    path.write_text(GIFT_ALL_TYPES, encoding="utf-8")
    out = io.StringIO()
    call_command("import_questions", str(path), "--category", "Cmd", stdout=out)
    output = out.getvalue()
    assert "vrai/faux : 1" in output and "choix multiple : 1" in output
    assert "8 question(s) importée(s)." in output
    assert Category.objects.filter(path="Cmd/Démo").exists()


def test_import_command_errors_exit_non_zero(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Ok {T}\n\nBad {#abc}\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_questions", str(path), "--format", "gift", stderr=err)
    assert "aucune question importée" in str(error.value)
    assert "bad.txt, ligne 3" in err.getvalue()
    assert Question.objects.count() == 0


def test_import_command_process_exit_code(tmp_path):
    """The real `ilmis import_questions` exits non-zero on errors."""
    import subprocess
    import sys

    path = tmp_path / "bad.xml"
    path.write_bytes(b"<quiz><question type='calculated'/></quiz>")
    result = subprocess.run(
        [sys.executable, "-m", "ilmis", "import_questions", str(path), "--format", "xml"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ilmis.settings_test"},
        check=False,
    )
    assert result.returncode != 0
    assert "calculated" in result.stderr


def test_export_command(tmp_path):
    services.import_questions(GIFT_ALL_TYPES.encode())
    out = io.StringIO()
    call_command("export_questions", "--format", "xml", stdout=out)
    assert len(parse_xml(out.getvalue().encode())) == 8
    target = tmp_path / "out.gift"
    call_command("export_questions", "--category", "Démo", "-o", str(target), stderr=io.StringIO())
    assert len(parse_gift(target.read_text(encoding="utf-8"))) == 8
    with pytest.raises(CommandError):
        call_command("export_questions", "--category", "Nope", stdout=io.StringIO())


def test_database_constraints_hold():
    """Invariants are in the database too: a fraction above 1 is refused."""
    from django.db import IntegrityError, transaction

    services.import_questions(b"Q {T}")
    question = Question.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(question=question, position=9, text="x", fraction=2)


def test_too_many_questions_or_errors_stop_reading(settings):
    """Hostile files: millions of tiny questions or of errors are cut short, clearly."""
    settings.ILMIS_QUESTION_IMPORT_MAX_QUESTIONS = 100
    with pytest.raises(ParseError) as error:
        services.parse(b"Q {T}\n\n" * 150_000)
    assert "plus de 100 questions" in str(error.value)
    with pytest.raises(ParseError) as error:
        services.parse(b"}{\n\n" * 200_000, fmt="gift")
    assert len(error.value.problems) == 501
    assert "lecture arrêtée" in error.value.problems[-1].message
    xml = b"<quiz>" + b"<question type='x'/>" * 2000 + b"</quiz>"
    with pytest.raises(ParseError) as error:
        services.parse(xml, fmt="xml")
    assert len(error.value.problems) == 501
