"""Property tests (R6.3, hostile input): any text is either questions or a ParseError, never a
crash; whatever parses survives a write/read round trip."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilmis.quizzes import qformat
from ilmis.quizzes.gift import parse_gift, write_gift
from ilmis.quizzes.moodlexml import parse_xml, write_xml

# Text made mostly of GIFT's own syntax, so that the interesting paths are reached.
TOKENS = st.sampled_from(
    [
        "{",
        "}",
        "~",
        "=",
        "#",
        "####",
        "->",
        "::",
        ":",
        "..",
        "%",
        "%50%",
        "%-25%",
        "%100%",
        "%33%",
        "\\",
        "\\~",
        "\\=",
        "\\#",
        "\\{",
        "\\}",
        "\\:",
        "\\n",
        "//",
        "\n",
        "\n\n",
        " ",
        "$CATEGORY:",
        "[html]",
        "[markdown]",
        "[plain]",
        "[moodle]",
        "[",
        "]",
        "T",
        "TRUE",
        "F",
        "FALSE",
        "1",
        "3.14",
        "-2",
        "1e5",
        "*",
        "a",
        "Paris",
        "é",
        "\t",
        "\r",
        "\x00",
        "\ue000",
        "<b>",
        "]]>",
        "_____",
    ]
)
GIFTISH = st.lists(TOKENS | st.text(max_size=5), max_size=60).map("".join)
SETTINGS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _parse_or_error(text):
    try:
        return parse_gift(text)
    except qformat.ParseError as error:
        assert error.problems and all(p.message for p in error.problems)
        return None


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_parse_error(text):
    _parse_or_error(text)


@SETTINGS
@given(GIFTISH)
def test_gift_like_text_parses_or_raises_parse_error(text):
    _parse_or_error(text)


@SETTINGS
@given(GIFTISH)
def test_whatever_parses_survives_gift_and_xml_round_trips(text):
    questions = _parse_or_error(text)
    if not questions:
        return
    expected = [q.as_dict() for q in questions]
    assert [q.as_dict() for q in parse_gift(write_gift(questions))] == expected
    from_xml = [q.as_dict() for q in parse_xml(write_xml(questions))]
    for got, want in zip(from_xml, expected, strict=True):
        got.pop("options"), want.pop("options")
        assert got == want


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_as_xml_raise_parse_error_or_parse(data):
    try:
        parse_xml(data)
    except qformat.ParseError as error:
        assert error.problems


# -- generated questions of every type survive GIFT and XML round trips ---------------------------

PIECES = st.sampled_from(list("~=#{}:\\[]%/<> \n") + ["->", "\\n", "//", "####", "[html]", "é"])
WORDS = st.lists(
    st.text(alphabet="abcXYZ019", min_size=1, max_size=4) | PIECES, min_size=1, max_size=8
).map("".join)
TEXT = WORDS.map(qformat.php_trim).filter(lambda t: t and "\n\n" not in t and "\r" not in t)
PLAIN = TEXT.filter(lambda t: "->" not in t)
FORMAT = st.sampled_from(qformat.FORMATS)
WEIGHT_SETS = {
    "single": [[1.0, 0.0], [1.0, 0.5, -0.25], [1.0, 1.0, 0.0]],
    "multiple": [[0.5, 0.5, -1.0], [0.3333333, 0.3333333, 0.3333333], [1.0, 0.0, -0.5]],
    "shortanswer": [[1.0], [1.0, 0.5], [0.9, 1.0, 0.0]],
}


@st.composite
def questions(draw):
    from ilmis.quizzes.gift import _default_name

    qtype = draw(st.sampled_from(qformat.TYPES))
    fmt = draw(FORMAT)
    text = draw(TEXT)
    q = qformat.Question(
        qtype=qtype,
        text=text,
        format=fmt,
        name=_default_name(draw(TEXT)),
        category=draw(st.sampled_from(["", "A", "A/B", "A//x/B"])),
    )
    if qtype not in (qformat.DESCRIPTION,):
        q.general_feedback = draw(st.just("") | TEXT)
        q.general_feedback_format = draw(FORMAT) if q.general_feedback else fmt

    def answer(text, fraction):
        feedback = draw(st.just("") | TEXT)
        return qformat.Answer(
            text=text,
            fraction=fraction,
            format=draw(FORMAT),
            feedback=feedback,
            feedback_format=draw(FORMAT) if feedback else fmt,
        )

    if qtype in WEIGHT_SETS:
        weights = draw(st.sampled_from(WEIGHT_SETS[qtype]))
        source = PLAIN if qtype == "shortanswer" else TEXT
        q.answers = [answer(draw(source), w) for w in weights]
        if qtype != "shortanswer":
            q.options = {"answernumbering": "abc"}
    elif qtype == "truefalse":
        correct = draw(st.booleans())
        q.answers = [
            answer("true", 1.0 if correct else 0.0),
            answer("false", 0.0 if correct else 1.0),
        ]
        for a in q.answers:
            a.format = fmt
        q.penalty = 1.0
    elif qtype == "numerical":
        values = draw(
            st.lists(
                st.decimals(-1e6, 1e6, places=3, allow_nan=False, allow_infinity=False),
                min_size=1,
                max_size=3,
            )
        )
        q.answers = [
            answer(qformat.format_number(float(v)), 1.0 if i == 0 else 0.5)
            for i, v in enumerate(values)
        ]
        for a in q.answers:
            a.format, a.tolerance = fmt, draw(st.sampled_from([0.0, 0.5, 2.0]))
        if draw(st.booleans()):
            q.answers.append(answer("*", 0.0))
            q.answers[-1].format, q.answers[-1].tolerance = fmt, None
    elif qtype == "matching":
        q.answers = [
            qformat.Answer(
                text=draw(PLAIN), format=draw(FORMAT), feedback_format=fmt, match=draw(TEXT)
            )
            for _ in range(draw(st.integers(2, 4)))
        ]
    elif qtype == "description":
        q.default_mark = 0.0
    return q


@SETTINGS
@given(st.lists(questions(), min_size=1, max_size=5))
def test_generated_questions_survive_round_trips(generated):
    """R6.3: whatever the reserved characters in texts, export then import gives them back."""
    from ilmis.quizzes.gift import parse_gift, write_gift

    errors = [qformat.validate(q) for q in generated]
    valid = [q for q, e in zip(generated, errors, strict=True) if not e]
    if not valid:
        return
    keys = (
        "qtype",
        "name",
        "text",
        "format",
        "general_feedback",
        "general_feedback_format",
        "answers",
        "category",
    )

    def essential(items):
        result = []
        for q in items:
            data = q.as_dict()
            if q.qtype == "description":
                data["general_feedback"], data["general_feedback_format"] = "", q.format
            result.append({k: data[k] for k in keys})
        return result

    assert essential(parse_gift(write_gift(valid))) == essential(valid)
    assert essential(parse_xml(write_xml(valid))) == essential(valid)
