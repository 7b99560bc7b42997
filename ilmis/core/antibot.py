"""R3.2: public forms resist scripted submission, with no third party.

Three layers, each enough to stop a generic robot:
- a honeypot field that people never see and robots fill in;
- a proof of work: the page hands out a signed challenge, a few lines of JavaScript find a nonce
  whose SHA-256 starts with `ILMIS_POW_BITS` zero bits (about a second of a phone's time), and
  each challenge is accepted once; without JavaScript, a question in words is the accessible
  fallback;
- rate limits per IP and per email address (allauth's limiter, on the shared cache).
"""

import hashlib
import secrets

from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SALT = "ilmis.antibot"
MAX_AGE = 3600
NUMBER_WORDS = {
    "fr": ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
}


def difficulty():
    return getattr(settings, "ILMIS_POW_BITS", 16)


def new_challenge():
    """A signed, single-use challenge: random salt, difficulty, and a sum for the fallback."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    return signing.dumps({"s": secrets.token_hex(12), "d": difficulty(), "a": a, "b": b}, salt=SALT)


def read_challenge(token, max_age=MAX_AGE):
    try:
        return signing.loads(token, salt=SALT, max_age=max_age)
    except (signing.BadSignature, TypeError):
        return None


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_is_valid(token: str, nonce: str, bits: int) -> bool:
    digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
    return leading_zero_bits(digest) >= bits


def solve(token: str) -> str:
    """What the browser's script does; used by tests and by nothing else."""
    data = read_challenge(token)
    nonce = 0
    while not work_is_valid(token, str(nonce), data["d"]):
        nonce += 1
    return str(nonce)


def fallback_question(data, language="fr"):
    words = NUMBER_WORDS.get(language[:2], NUMBER_WORDS["fr"])
    return _("Combien font %(a)s plus %(b)s ? (réponse en chiffres)") % {
        "a": words[data["a"]],
        "b": words[data["b"]],
    }


def _spend(data) -> bool:
    """Accept each challenge once (cache.add is atomic on every backend)."""
    return cache.add(f"antibot:{data['s']}", 1, MAX_AGE)


class HumanCheckMixin:
    """Mix into a public form; the view passes `request`. Renders via `core/human_check.html`."""

    human_check_email_field = "email"

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["website"] = forms.CharField(
            required=False,
            label=gettext_lazy("Ne pas remplir"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        self.fields["challenge"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields["nonce"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields["human_answer"] = forms.CharField(
            required=False, max_length=4, label=gettext_lazy("Vérification")
        )
        if not self.is_bound:
            self.fields["challenge"].initial = new_challenge()

    @property
    def human_bits(self):
        return difficulty()

    @property
    def human_question(self):
        token = self.data.get(self.add_prefix("challenge")) if self.is_bound else None
        data = read_challenge(token or self.fields["challenge"].initial)
        if data is None:
            data = read_challenge(new_challenge())
        return fallback_question(data, getattr(self.request, "LANGUAGE_CODE", "fr"))

    def refresh_challenge(self):
        """After an error, the page gets a fresh challenge to solve."""
        token = new_challenge()
        self.fields["challenge"].initial = token
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("challenge")] = token
            self.data[self.add_prefix("nonce")] = ""

    def clean(self):
        cleaned = super().clean()
        refused = forms.ValidationError(
            _(
                "La vérification anti-robot a échoué. Réessayez ; si le problème persiste, "
                "activez JavaScript ou répondez à la question de vérification."
            ),
            code="robot",
        )
        if cleaned.get("website"):
            raise refused
        data = read_challenge(cleaned.get("challenge") or "")
        if data is None:
            self.refresh_challenge()
            raise refused
        nonce = (cleaned.get("nonce") or "")[:32]
        answer = (cleaned.get("human_answer") or "").strip()
        solved = (nonce and work_is_valid(cleaned["challenge"], nonce, data["d"])) or (
            answer.isdigit() and int(answer) == data["a"] + data["b"]
        )
        if not solved or not _spend(data):
            self.refresh_challenge()
            raise refused
        if self.request is not None:
            email = (cleaned.get(self.human_check_email_field) or "").lower()
            allowed = ratelimit.consume(self.request, action="public_form") and (
                not email or ratelimit.consume(self.request, action="public_form_email", key=email)
            )
            if not allowed:
                raise forms.ValidationError(
                    _("Trop de demandes. Réessayez dans une heure."), code="rate_limited"
                )
        return cleaned
