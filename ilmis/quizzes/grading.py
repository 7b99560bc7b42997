"""Scoring of one response, per question type, the way Moodle's question types score it (R6.3).

Pure functions over answers that have .text .fraction .tolerance .match (stored Answer rows or
qformat.Answer). A response is what the learner gave, already cleaned by `clean_response`:
single: an answer position (int); multiple: a list of positions; truefalse: a bool;
shortanswer, numerical, essay: a string; matching: {"<left position>": <choice index>}.
"""

import re
import unicodedata

from . import qformat

MAX_TEXT = 1000
MAX_ESSAY = 100_000


class BadResponse(ValueError):
    pass


def clean_response(qtype, layout, response):
    """The response in its canonical form, or BadResponse: never trust the browser."""
    if response is None:
        return None
    if qtype == qformat.SINGLE:
        if (
            not isinstance(response, int)
            or isinstance(response, bool)
            or response not in layout.get("order", [])
        ):
            raise BadResponse("choice")
        return response
    if qtype == qformat.MULTIPLE:
        if not isinstance(response, list) or any(
            not isinstance(v, int) or isinstance(v, bool) for v in response
        ):
            raise BadResponse("choices")
        chosen = sorted(set(response))
        if any(v not in layout.get("order", []) for v in chosen):
            raise BadResponse("choices")
        return chosen
    if qtype == qformat.TRUEFALSE:
        if not isinstance(response, bool):
            raise BadResponse("value")
        return response
    if qtype in (qformat.SHORTANSWER, qformat.NUMERICAL, qformat.ESSAY):
        limit = MAX_ESSAY if qtype == qformat.ESSAY else MAX_TEXT
        if (
            not isinstance(response, str)
            or len(response) > limit
            or qformat.FORBIDDEN_CHARS.search(response.replace("\t", " "))
        ):
            raise BadResponse("text")
        return response
    if qtype == qformat.MATCHING:
        if not isinstance(response, dict):
            raise BadResponse("pairs")
        lefts = {str(p) for p in layout.get("order", [])}
        choices = len(layout.get("choices", []))
        cleaned = {}
        for key, value in response.items():
            if (
                key not in lefts
                or not isinstance(value, int)
                or isinstance(value, bool)
                or not 0 <= value < choices
            ):
                raise BadResponse("pairs")
            cleaned[key] = value
        return cleaned
    raise BadResponse("type")


def _normalise(text):
    return unicodedata.normalize("NFC", text)


def wildcard_match(string, pattern, *, ignore_case):
    """Moodle's qtype_shortanswer_question::compare_string_with_wildcard(): runs of unescaped
    `*` match anything, `\\*` is a literal star, the whole (trimmed) response must match."""
    pattern, string = _normalise(pattern), _normalise(string)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.match(regexp, qformat.php_trim(string), flags) is not None


def parse_number(text):
    """A learner's number: "3.14", "3,14" (French), "1 234,5", "-2e3"; None if not a number."""
    value = qformat.php_trim(text).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    if not qformat.NUMBER.match(value):
        return None
    number = float(value)
    return None if number in (float("inf"), float("-inf")) else number


def matching_answer(qtype, answers, response, *, case_sensitive=False):
    """The first answer a short-answer or numerical response matches (Moodle's
    get_matching_answer), or None."""
    if not isinstance(response, str) or not qformat.php_trim(response):
        return None
    if qtype == qformat.SHORTANSWER:
        for answer in answers:
            if wildcard_match(response, answer.text, ignore_case=not case_sensitive):
                return answer
        return None
    number = parse_number(response)
    for answer in answers:
        if answer.text == "*":
            return answer
        if number is not None and abs(number - float(answer.text)) <= (answer.tolerance or 0):
            return answer
    return None


def grade(qtype, answers, layout, response, *, case_sensitive=False):
    """The fraction (0…1) earned, or None when a trainer must grade it (essay)."""
    if qtype == qformat.DESCRIPTION:
        return 0.0
    if qtype == qformat.ESSAY:
        return None if (response or "").strip() else 0.0
    if response is None:
        return 0.0
    by_position = {getattr(a, "position", i): a for i, a in enumerate(answers)}
    if qtype == qformat.SINGLE:
        answer = by_position.get(response)
        return max(0.0, float(answer.fraction)) if answer else 0.0
    if qtype == qformat.MULTIPLE:
        total = sum(float(by_position[p].fraction) for p in response if p in by_position)
        return min(1.0, max(0.0, total))
    if qtype == qformat.TRUEFALSE:
        wanted = "true" if response else "false"
        return next((float(a.fraction) for a in answers if a.text == wanted), 0.0)
    if qtype in (qformat.SHORTANSWER, qformat.NUMERICAL):
        answer = matching_answer(qtype, answers, response, case_sensitive=case_sensitive)
        return max(0.0, float(answer.fraction)) if answer else 0.0
    if qtype == qformat.MATCHING:
        choices = layout.get("choices", [])
        pairs = [(p, a) for p, a in by_position.items() if a.text.strip()]
        if not pairs:
            return 0.0
        right = sum(
            1 for p, a in pairs if str(p) in response and choices[response[str(p)]] == a.match
        )
        return right / len(pairs)
    return 0.0


def is_answered(qtype, response):
    if response is None:
        return False
    if qtype in (qformat.SHORTANSWER, qformat.NUMERICAL, qformat.ESSAY):
        return bool(response.strip())
    if qtype in (qformat.MULTIPLE, qformat.MATCHING):
        return bool(response)
    return True
