"""GIFT reader and writer, checked field by field against what Moodle's qformat_gift gives (R6.3).

The expected values are written by hand from Moodle's importer (question/format/gift/format.php):
`=` is fraction 1, `~` without weight 0, `%50%` 0.5; the question text format defaults to
"moodle"; answers and feedback take the question's format unless they name their own; the
general feedback is what follows the last `####`; true/false gives Moodle's two answers with
feedbacktrue / feedbackfalse; numerical ranges become the middle value with a tolerance.
"""

import pytest

from ilmis.quizzes.gift import escape, parse_gift, write_gift
from ilmis.quizzes.qformat import ParseError


def one(text):
    questions = parse_gift(text)
    assert len(questions) == 1, questions
    return questions[0]


def answers(question):
    return [(a.text, a.fraction, a.feedback) for a in question.answers]


def test_true_false_forms_and_feedback():
    """R6.3: {T} {TRUE} {F} {FALSE}, and {T#wrong#right} like Moodle's split_truefalse_comment."""
    q = one("::Q1:: 1+1=2 {T}")
    assert (q.qtype, q.name, q.text, q.format) == ("truefalse", "Q1", "1+1=2", "moodle")
    assert answers(q) == [("true", 1.0, ""), ("false", 0.0, "")]
    assert q.penalty == 1.0  # Moodle sets penalty 1 for true/false
    assert answers(one("Sky is green {FALSE}")) == [("true", 0.0, ""), ("false", 1.0, "")]
    assert answers(one("Sky is blue {TRUE}"))[0][1] == 1.0
    q = one("Grant is buried in Grant's tomb. {F#No one is buried there.#Right.}")
    # correct answer false: the first feedback (for a wrong answer) goes to "true"
    assert answers(q) == [("true", 0.0, "No one is buried there."), ("false", 1.0, "Right.")]
    q = one("The sun rises in the east. {T#Wrong!#Yes.}")
    assert answers(q) == [("true", 1.0, "Yes."), ("false", 0.0, "Wrong!")]
    assert q.name == "The sun rises in the east."  # Moodle names it after its text


def test_single_choice_with_feedback():
    q = one(
        "::Q2:: What's between orange and green in the spectrum?\n"
        "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }"
    )
    assert q.qtype == "single"
    assert q.text == "What's between orange and green in the spectrum?"
    assert answers(q) == [
        ("yellow", 1.0, "right; good!"),
        ("red", 0.0, "wrong, it's yellow"),
        ("blue", 0.0, "wrong, it's yellow"),
    ]
    assert [a.format for a in q.answers] == ["moodle"] * 3
    assert q.options["answernumbering"] == "abc"
    assert q.options["correctfeedback"] == {"text": "", "format": "html"}


def test_multiple_choice_weights_positive_and_negative():
    """R6.3: no `=` makes a multiple-answer question; %50% is 0.5, %-100% is -1."""
    q = one(
        "What two people are entombed in Grant's tomb? {\n"
        "   ~%-100%No one\n   ~%50%Grant\n   ~%50%Grant's wife\n   ~%-100%Grant's father\n}"
    )
    assert q.qtype == "multiple"
    assert answers(q) == [
        ("No one", -1.0, ""),
        ("Grant", 0.5, ""),
        ("Grant's wife", 0.5, ""),
        ("Grant's father", -1.0, ""),
    ]


def test_weights_with_decimals_are_snapped_to_moodle_grades():
    q = one("Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-25%d}")
    assert [a.fraction for a in q.answers] == [0.3333333, 0.3333333, 0.3333333, -0.25]


def test_multiple_choice_weights_must_add_up_to_100():
    with pytest.raises(ParseError) as error:
        parse_gift("Pick {~%50%a ~%40%b ~c}")
    assert "90" in str(error.value)


def test_grade_not_in_moodle_list_is_refused_with_its_line():
    """R6.3: Moodle's match_grade_options refuses 33 % (only 33.33333 exists)."""
    with pytest.raises(ParseError) as error:
        parse_gift("Fine {T}\n\n\nPick {=a ~%33%b ~c}")
    [problem] = error.value.problems
    assert problem.line == 4
    assert "33" in problem.message


def test_short_answer_weights_and_wildcard_text_kept():
    q = one("Who's buried in Grant's tomb?{=Grant =Ulysses S. Grant =Ulysses Grant}")
    assert q.qtype == "shortanswer"
    assert answers(q) == [
        ("Grant", 1.0, ""),
        ("Ulysses S. Grant", 1.0, ""),
        ("Ulysses Grant", 1.0, ""),
    ]
    assert q.case_sensitive is False
    q = one("Capital of France? {=Paris#Yes =%50%Par*#Close}")
    assert answers(q) == [("Paris", 1.0, "Yes"), ("Par*", 0.5, "Close")]


def test_missing_word_format_puts_a_blank_in_the_text():
    q = one("Moodle costs {~lots of money =nothing ~a small amount} to download.")
    assert q.text == "Moodle costs _____ to download."
    assert q.qtype == "single"
    q = one("Two plus {=two =2} equals four.")
    assert (q.qtype, q.text) == ("shortanswer", "Two plus _____ equals four.")


def test_matching():
    q = one(
        "Match the following countries with their corresponding capitals. {\n"
        "   =Canada -> Ottawa\n   =Italy  -> Rome\n   =Japan  -> Tokyo\n"
        "   =India  -> New Delhi\n   ####It's good to know the capitals\n}"
    )
    assert q.qtype == "matching"
    assert [(a.text, a.match) for a in q.answers] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("Japan", "Tokyo"),
        ("India", "New Delhi"),
    ]
    assert q.general_feedback == "It's good to know the capitals"


def test_matching_needs_arrows():
    with pytest.raises(ParseError) as error:
        parse_gift("Match {=a -> 1 =b 2}")
    assert "->" in error.value.problems[0].message


def test_numerical_tolerance_range_and_multiple_answers():
    q = one("::Q5:: What is a number from 1 to 5? {#3:2}")
    assert (q.qtype, [(a.text, a.tolerance, a.fraction) for a in q.answers]) == (
        "numerical",
        [("3", 2.0, 1.0)],
    )
    q = one("::Q6:: What is a number from 1 to 5? {#1..5}")
    assert [(a.text, a.tolerance) for a in q.answers] == [("3", 2.0)]
    q = one("What is the value of pi (to 3 decimal places)? {#3.14159:0.0005}.")
    assert q.text == "What is the value of pi (to 3 decimal places)? _____."
    assert [(a.text, a.tolerance) for a in q.answers] == [("3.14159", 0.0005)]
    q = one(
        "When was Ulysses S. Grant born? {#\n"
        "         =1822:0      # Correct! Full credit.\n"
        "         =%50%1822:2  # He was born in 1822. Half credit for being close.\n}"
    )
    assert [(a.text, a.tolerance, a.fraction, a.feedback) for a in q.answers] == [
        ("1822", 0.0, 1.0, "Correct! Full credit."),
        ("1822", 2.0, 0.5, "He was born in 1822. Half credit for being close."),
    ]
    q = one("Half of 3? {#=1.5 ~#Think again}")
    assert [(a.text, a.tolerance, a.fraction, a.feedback) for a in q.answers] == [
        ("1.5", 0.0, 1.0, ""),
        ("*", None, 0.0, "Think again"),
    ]


def test_numerical_rejects_words():
    with pytest.raises(ParseError) as error:
        parse_gift("Number? {#three}")
    assert "three" in error.value.problems[0].message


def test_essay_and_description():
    q = one("Write a short biography of Dag Hammarskjöld. {}")
    assert (q.qtype, q.text, q.answers) == (
        "essay",
        "Write a short biography of Dag Hammarskjöld.",
        [],
    )
    assert q.options["responseformat"] == "editor"
    q = one("::Essay:: Explain {####Model answer: because.}")
    assert (q.qtype, q.general_feedback) == ("essay", "Model answer: because.")
    q = one("You can use your pencil and paper for these next math questions.")
    assert (q.qtype, q.default_mark, q.answers) == ("description", 0.0, [])


def test_title_comments_id_and_tags():
    q = one(
        "// [id:Q-7] [tag:maths] [tag:facile]\n// another comment\n"
        "::Addition\\: easy::What is 1+1? {=2}"
    )
    assert q.name == "Addition: easy"
    assert q.id_number == "Q-7" and q.tags == ["maths", "facile"]
    assert q.text == "What is 1+1?"


def test_comment_lines_inside_a_question_are_ignored():
    q = one("Which? {\n=yes\n// not an answer: ~no\n~no\n}")
    assert answers(q) == [("yes", 1.0, ""), ("no", 0.0, "")]


def test_escapes():
    """R6.3: \\~ \\= \\# \\{ \\} \\: and \\n are literal characters."""
    q = one(r"Which is a set \{1\}\: a\=b\~c\#d\\e\nnext line? {=yes\#1 ~no\~2}")
    assert q.text == "Which is a set {1}: a=b~c#d\\e\nnext line?"
    assert answers(q) == [("yes#1", 1.0, ""), ("no~2", 0.0, "")]


def test_text_formats():
    q = one("::F::[markdown]What's **bold**? {=[html]<b>this</b>#[plain]fb ~other}")
    assert (q.format, q.text) == ("markdown", "What's **bold**?")
    first, second = q.answers
    assert (first.text, first.format, first.feedback_format) == ("<b>this</b>", "html", "plain")
    assert (second.format, second.feedback_format) == ("markdown", "markdown")
    q = one("[html]<p>Hi</p>{T####[plain]General}")
    assert (q.format, q.text, q.general_feedback, q.general_feedback_format) == (
        "html",
        "<p>Hi</p>",
        "General",
        "plain",
    )
    assert one("[moodle]Hi{T}").format == "moodle"
    assert one("[unknown]Hi{T}").text == "[unknown]Hi"


def test_categories_nest_and_follow():
    questions = parse_gift(
        "$CATEGORY: $course$/top/Bureautique/Excel\n\nQ1 {T}\n\n"
        "$CATEGORY: tom//jerry/Chat\n\nQ2 {F}",
        category="Import",
    )
    assert [q.category for q in questions] == ["Import/Bureautique/Excel", "Import/tom//jerry/Chat"]
    assert parse_gift("Q {T}")[0].category == ""


def test_each_bad_question_reported_with_its_line():
    text = "Good {T}\n\nBad { =a\n\nAlso good {=x}\n\n}Bad again{\n\nPick {~a ~b}"
    with pytest.raises(ParseError) as error:
        parse_gift(text)
    assert [p.line for p in error.value.problems] == [3, 7, 9]
    assert all(p.where.startswith("ligne") for p in error.value.problems)


def test_two_answer_blocks_refused():
    with pytest.raises(ParseError):
        parse_gift("A {T} and {F}")


def test_writer_round_trip_every_type():
    """R6.3: export then import gives the same questions."""
    source = "\n\n".join(
        [
            "// [id:x1] [tag:t]\n::TF::[html]<p>1+1\\=2</p>{T#no#yes####general}",
            "::SC:: Colour? {=yellow#good ~red#bad ~%50%amber}",
            "::MC:: Pick {~%50%a ~%50%b ~%-100%c#never}",
            "::SA:: Capital? {=Paris =%50%paris*#close}",
            "::NUM:: Pi? {#=3.14:0.01#ok =%50%3:0.5 ~#no}",
            "::MAT:: Match {=a -> 1 =b -> 2 = -> 3}",
            "::ES:: Write {####Model}",
            "::DE:: Read this \\{ and \\} and \\: and \\\\ and %50% and // not a comment",
            "$CATEGORY: A/B",
            "::Missing:: Moodle costs {~lots =nothing} to download.",
            "::Esc:: a\\~b {=c\\=d#e\\#f ~[g]h}",
        ]
    )
    first = parse_gift(source)
    again = parse_gift(write_gift(first))
    assert [q.as_dict() for q in again] == [q.as_dict() for q in first]
    assert len(first) == 10


def test_escape_covers_reserved_characters():
    assert escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"


def test_short_answer_with_arrow_survives_export():
    """GIFT cannot say "->" in a short answer (Moodle reads it as matching): we write "-\\>"."""
    source = parse_gift("Arrow? {=a-\\>b#x-\\>y}")
    assert [(a.text, a.feedback) for a in source[0].answers] == [("a->b", "x->y")]
    written = write_gift(source)
    assert "a-\\>b" in written
    assert [q.as_dict() for q in parse_gift(written)] == [q.as_dict() for q in source]


def test_windows_line_endings_bom_and_multi_line_text():
    """Moodle trims each line and joins a question's lines with new lines."""
    questions = parse_gift("\ufeff::A::   First line\r\n   second line {T}\r\n\r\n::B:: x {F}")
    assert [q.name for q in questions] == ["A", "B"]
    assert questions[0].text == "First line\nsecond line"


def test_category_top_only_goes_back_to_the_root():
    questions = parse_gift("$CATEGORY: X\n\nQ1 {T}\n\n$CATEGORY: $course$/top\n\nQ2 {T}")
    assert [q.category for q in questions] == ["X", ""]


def test_escaped_bracket_in_comment_id():
    q = one("// [id:a\\]b]\nQ {T}")
    assert q.id_number == "a]b"
