"""Property tests (R6.3, hostile input): any text is either questions or a ParseError, never a
crash; whatever parses survives a write/read round trip."""

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
    max_examples=400,
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
