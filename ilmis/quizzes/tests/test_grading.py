"""Scoring per question type, as Moodle's question types score (R6.3)."""

import pytest

from ilmis.quizzes import grading
from ilmis.quizzes.gift import parse_gift


def question(text):
    [q] = parse_gift(text)
    return q


def score(text, response, layout=None):
    q = question(text)
    layout = layout or {"order": list(range(len(q.answers)))}
    response = grading.clean_response(q.qtype, layout, response)
    return grading.grade(q.qtype, q.answers, layout, response, case_sensitive=q.case_sensitive)


def test_single_choice():
    text = "Q {=a ~%50%b ~c}"
    assert [score(text, i) for i in (0, 1, 2)] == [1.0, 0.5, 0.0]
    assert score(text, None) == 0.0


def test_multiple_choice_sums_and_clamps():
    text = "Q {~%50%a ~%50%b ~%-100%c ~d}"
    assert score(text, [0, 1]) == 1.0
    assert score(text, [0]) == 0.5
    assert score(text, [0, 1, 2]) == 0.0  # negative weights, never below 0
    assert score(text, [1, 0, 0, 1]) == 1.0  # duplicates count once


def test_true_false():
    assert score("Q {T}", True) == 1.0 and score("Q {T}", False) == 0.0
    assert score("Q {F}", False) == 1.0


def test_short_answer_wildcard_and_case():
    text = "Q {=Paris =%50%Par* =%25%a\\\\*b}"
    assert score(text, " paris ") == 1.0  # trimmed, case-insensitive by default
    assert score(text, "Parsifal") == 0.5
    assert score(text, "a*b") == 0.25  # \\* is a literal star (Moodle)
    assert score(text, "axxb") == 0.0
    q = question("Q {=Paris}")
    q.case_sensitive = True
    assert grading.grade(q.qtype, q.answers, {}, "paris", case_sensitive=True) == 0.0


def test_numerical_tolerance_french_comma_and_catch_all():
    text = "Q {#=%100%3.14:0.01 =%50%3:0.5 ~#Non}"
    assert score(text, "3,141") == 1.0
    assert score(text, "2.6") == 0.5
    assert score(text, "12") == 0.0
    assert score(text, "trois") == 0.0
    assert score("Q {#1..5}", "4.9") == 1.0 and score("Q {#1..5}", "5.1") == 0.0
    assert grading.parse_number("1 234,5") == 1234.5


def test_matching_partial_credit():
    q = question("Q {=a -> 1 =b -> 2 =c -> 3 = -> 4}")
    layout = {"order": [0, 1, 2], "choices": ["4", "3", "2", "1"]}
    response = grading.clean_response(q.qtype, layout, {"0": 3, "1": 2, "2": 3})
    assert grading.grade(q.qtype, q.answers, layout, response) == pytest.approx(2 / 3)


def test_essay_waits_for_a_trainer():
    q = question("Q {}")
    assert grading.grade(q.qtype, [], {}, "Mon texte") is None
    assert grading.grade(q.qtype, [], {}, "  ") == 0.0


@pytest.mark.parametrize(
    "qtype,response",
    [
        ("single", 7),
        ("single", True),
        ("single", "0"),
        ("multiple", [0, 9]),
        ("multiple", "0"),
        ("truefalse", "true"),
        ("shortanswer", 3),
        ("shortanswer", "x" * 1001),
        ("shortanswer", "a\x00b"),
        ("matching", {"9": 0}),
        ("matching", {"0": 5}),
        ("matching", [1]),
        ("description", "x"),
    ],
)
def test_tampered_responses_refused(qtype, response):
    layout = {"order": [0, 1, 2], "choices": ["x", "y"]}
    with pytest.raises(grading.BadResponse):
        grading.clean_response(qtype, layout, response)
