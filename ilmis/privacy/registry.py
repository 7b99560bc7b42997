"""Where every app declares the personal data it holds (R7.2, R11.9).

Each app has one module, `ilmis/<app>/personal_data.py`, with

    DECLARATIONS = [PersonalData(model="app.Model", subject="learner", fields=[...], ...), ...]
    NOT_PERSONAL = ["app.Model", ...]   # models that hold no personal data

The privacy app reads them to build a person's export (access, portability), to anonymise a
person on erasure, to correct the fields printed on signed documents, and to apply retention
periods. `undeclared_models()` names every model that looks personal and is in neither list: the
completeness test fails on it, so a new model cannot be forgotten.

A declaration:
- `subject`: how a record belongs to a person. A lookup path from the model to the user
  ("learner", "attempt__learner", "" for the user model itself), a list of such paths (any of
  them), or a callable `subject(user) -> Q`.
- `fields`: identifying fields (names, emails, phone, address, SIRET of a sole trader…).
- `free_text`: text the person wrote (descriptions, messages, answers).
- `files`: file fields holding the person's documents.
- `ips`: IP address and user-agent fields.
- `json`: JSON fields that may hold any of the above (scrubbed by value on erasure).
- `others`: fields about *other* people (staff notes, a manager's comment…): never exported.
- `on_erasure`: "anonymise" (blank the personal fields, keep the row for statistics), "delete",
  or "keep" (the law requires the OF to keep it: agreements, signatures, certificates, evidence
  for funders; anonymised by the retention job once `retention` has run out).
- `hidden`: secrets never exported (password hashes, tokens, TOTP seeds, session keys).
- `keep_if`: with on_erasure="keep", which rows the law requires keeping (a Q or a callable);
  the person's other rows are anonymised.
- `sweep_kept`: kept rows are normally left whole by the erasure sweep (the evidence keeps the
  names it was signed with); True lets the sweep replace the person's name and email inside
  them too (SCORM run-time data, where the name is not the evidence).
- `retention`: a kind of data from `ilmis.privacy.retention.KINDS` ("evidence", "security",
  "preregistration", "outbox", "working", "export"), `retention_date` the date (or lookup path
  to it) the period runs from, `retention_filter` which rows the period applies to (a Q or a
  callable returning one), `on_expiry` "anonymise" or "delete". `more_retention`: further
  rules as tuples (kind, date path, Q or None, "anonymise" | "delete").
- `rectify`: {"first_name": "model_field", ...}: fields printed on signed documents, corrected
  only through a rectification request applied by staff.
- `erase`: optional callable `erase(queryset, user, placeholder)` replacing the generic step.
- `row`: optional callable `row(obj, user) -> dict` replacing the generic export row.
- `legal_basis`: why the OF holds it (shown to the person).
"""

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q

ERASURE_ACTIONS = ("anonymise", "delete", "keep")
EXPIRY_ACTIONS = ("anonymise", "delete")
SCANNED_APPS = ("ilmis.", "allauth.", "django.contrib.admin", "django.contrib.sessions")
# Field names that suggest personal data (whole words inside the name).
PERSONAL_NAME = re.compile(
    r"(^|_)(e?mail|phone|telephone|mobile|ip|ip_address|name|first_name|last_name|"
    r"address|user_agent|birth|birthdate|siret|signer|signature)(_|$)"
)


@dataclass(frozen=True)
class PersonalData:
    model: str
    subject: Any
    fields: tuple = ()
    free_text: tuple = ()
    files: tuple = ()
    ips: tuple = ()
    json: tuple = ()
    others: tuple = ()
    hidden: tuple = ()
    on_erasure: str = "anonymise"
    keep_if: Any = None
    sweep_kept: bool = False
    retention: str = ""
    retention_date: str = ""
    retention_filter: Any = None
    on_expiry: str = "anonymise"
    more_retention: tuple = ()
    rectify: dict = field(default_factory=dict)
    erase: Any = None
    row: Any = None
    legal_basis: str = ""
    label: str = ""

    def __post_init__(self):
        for name in ("fields", "free_text", "files", "ips", "json", "others", "hidden"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.on_erasure not in ERASURE_ACTIONS:
            raise ValueError(f"{self.model}: on_erasure must be one of {ERASURE_ACTIONS}")
        if self.on_expiry not in EXPIRY_ACTIONS:
            raise ValueError(f"{self.model}: on_expiry must be one of {EXPIRY_ACTIONS}")
        if self.retention and not self.retention_date:
            raise ValueError(f"{self.model}: a retention period needs retention_date")

    # -- reading --------------------------------------------------------------------------------

    @property
    def model_class(self):
        return apps.get_model(self.model)

    @property
    def personal_fields(self):
        """Every field blanked on anonymisation."""
        return self.fields + self.free_text + self.files + self.ips + self.json

    @property
    def verbose_name(self):
        return self.label or str(self.model_class._meta.verbose_name_plural)

    def subject_q(self, user):
        """A Q selecting the records of `user`."""
        if callable(self.subject):
            return self.subject(user)
        paths = [self.subject] if isinstance(self.subject, str) else list(self.subject)
        query = Q(pk__in=[])
        for path in paths:
            query |= Q(pk=user.pk) if path == "" else Q(**{path: user})
        return query

    def records_of(self, user):
        return self.model_class._default_manager.filter(self.subject_q(user)).distinct()

    def kept_q(self):
        """The rows kept on erasure (all of them for "keep" without `keep_if`)."""
        if self.on_erasure != "keep":
            return Q(pk__in=[])
        return _q(self.keep_if) if self.keep_if is not None else Q()

    def retention_rules(self):
        """[(kind, date path, condition, on expiry)]: the main rule, then `more_retention`.

        A condition is None, a Q, or a callable `condition(cutoff) -> Q` (cutoff: the datetime
        before which the period has run out)."""
        rules = []
        if self.retention:
            rules.append(
                (self.retention, self.retention_date, self.retention_filter, self.on_expiry)
            )
        for rule in self.more_retention:
            kind, date_path, condition, action = (tuple(rule) + (None, "anonymise"))[:4]
            rules.append((kind, date_path, condition, action or "anonymise"))
        return rules


def _q(condition):
    if condition is None:
        return Q()
    return condition() if callable(condition) else condition


def _declaration_modules():
    from ilmis.core.dashboard import app_modules

    return app_modules("personal_data")


@cache
def _collect():
    declarations, not_personal = {}, set()
    for module in _declaration_modules():
        for declaration in getattr(module, "DECLARATIONS", []):
            if declaration.model.lower() in declarations:
                raise ValueError(f"{declaration.model} is declared twice")
            declarations[declaration.model.lower()] = declaration
        not_personal.update(label.lower() for label in getattr(module, "NOT_PERSONAL", []))
    return declarations, frozenset(not_personal)


def declarations():
    """Every declaration whose model is installed, in a stable order (app, model)."""
    found = []
    for label, declaration in _collect()[0].items():
        try:
            apps.get_model(label)
        except LookupError:
            continue
        found.append(declaration)
    return sorted(found, key=lambda d: d.model.lower())


def declaration_for(model):
    label = model if isinstance(model, str) else model._meta.label_lower
    return _collect()[0].get(label.lower())


def not_personal():
    return _collect()[1]


def clear_cache():
    _collect.cache_clear()


# -- completeness -------------------------------------------------------------------------------


def scanned_models():
    """The models whose personal data must be declared: ours, allauth's, admin log, sessions."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.name.startswith(SCANNED_APPS)
        and not model._meta.proxy
        and model._meta.managed
    ]


def personal_reasons(model):
    """Why `model` looks like it holds personal data (empty when it does not)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    reasons = []
    if model is user_model:
        reasons.append("is the user model")
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model is user_model:
            reasons.append(f"{model_field.name} → user")
        elif isinstance(model_field, models.FileField):
            reasons.append(f"{model_field.name} (a file may hold personal documents)")
        elif isinstance(model_field, models.EmailField | models.GenericIPAddressField):
            reasons.append(f"{model_field.name} ({type(model_field).__name__})")
        elif isinstance(model_field, models.CharField | models.TextField) and PERSONAL_NAME.search(
            model_field.name
        ):
            reasons.append(f"{model_field.name} (name looks personal)")
    return reasons


def undeclared_models():
    """{label: reasons} for every model that looks personal and is neither declared nor
    listed as not personal."""
    known = set(_collect()[0]) | set(not_personal())
    missing = {}
    for model in scanned_models():
        label = model._meta.label_lower
        if label in known:
            continue
        reasons = personal_reasons(model)
        if reasons:
            missing[model._meta.label] = reasons
    return missing


def unknown_models():
    """Every scanned model in neither list, personal-looking or not (for the report)."""
    known = set(_collect()[0]) | set(not_personal())
    return sorted(m._meta.label for m in scanned_models() if m._meta.label_lower not in known)


def problems():
    """Declarations that do not match their model: unknown fields, bad subject paths."""
    errors = []
    for declaration in declarations():
        model = declaration.model_class
        names = {f.name for f in model._meta.get_fields()}
        for name in declaration.personal_fields + declaration.others + declaration.hidden:
            if name not in names:
                errors.append(f"{declaration.model}: no field {name!r}")
        for name in declaration.rectify.values():
            if name not in names:
                errors.append(f"{declaration.model}: no field {name!r} to rectify")
        from .retention import KINDS

        for kind, date_path, _condition, action in declaration.retention_rules():
            if kind not in KINDS:
                errors.append(f"{declaration.model}: unknown retention {kind!r}")
            if action not in EXPIRY_ACTIONS:
                errors.append(f"{declaration.model}: unknown expiry action {action!r}")
            try:
                model.objects.none().filter(**{f"{date_path}__isnull": True}).query  # noqa: B018
            except Exception as error:  # a FieldError names the bad path
                errors.append(f"{declaration.model}: bad retention date {date_path!r}: {error}")
        for name in declaration.files:
            if not isinstance(model._meta.get_field(name), models.FileField):
                errors.append(f"{declaration.model}: {name} is not a file field")
    return errors
