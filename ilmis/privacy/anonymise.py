"""Blanking declared personal fields, and sweeping a person's name and email out of every text.

Used by erasure (one person, R7.2) and by the retention job (expired rows, R11.9). Both are
idempotent: a value already anonymised is left alone and is not counted again.
"""

import json
import re

from django.apps import apps
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Cast

ANON = "[anonymisé]"
ANON_DOMAIN = "invalid"  # RFC 2606: never delivered
ANON_IP = "0.0.0.0"  # noqa: S104 (a placeholder value, not a bind address)


def placeholder_email(user_id):
    return f"anonyme-{user_id}@{ANON_DOMAIN}"


def _is_anonymous_email(value):
    return not value or str(value).endswith(f"@{ANON_DOMAIN}")


def blank_value(model_field, current, obj):
    """The anonymous value for `model_field`, or `current` when it is already anonymous."""
    if isinstance(model_field, models.FileField):
        return "" if current else current
    if model_field.is_relation:
        return None if model_field.null else current
    if isinstance(model_field, models.EmailField):
        return current if _is_anonymous_email(current) else f"anonyme-{obj.pk}@{ANON_DOMAIN}"
    if isinstance(model_field, models.GenericIPAddressField):
        return None if model_field.null else (ANON_IP if current else current)
    if isinstance(model_field, models.JSONField):
        if not current:
            return current
        return [] if isinstance(current, list) else {}
    if isinstance(model_field, models.CharField | models.TextField):
        if current in ("", None) or current == ANON[: model_field.max_length or None]:
            return current
        if model_field.blank or model_field.null:
            return "" if not model_field.null else None
        return ANON[: model_field.max_length or None]
    if model_field.null:
        return None
    return current


def _field_changes(declaration, obj, names=None):
    model = declaration.model_class
    changes = {}
    for name in names if names is not None else declaration.personal_fields:
        model_field = model._meta.get_field(name)
        attname = model_field.attname
        current = getattr(obj, attname)
        if isinstance(model_field, models.FileField):
            current = current.name if current else ""
        new = blank_value(model_field, current, obj)
        if new != current:
            changes[attname] = new
    return changes


def anonymise_rows(declaration, rows, *, dry_run=False, names=None):
    """Blank the declared personal fields of `rows`; return how many rows changed."""
    model = declaration.model_class
    changed = 0
    for obj in rows.iterator(chunk_size=500):
        changes = _field_changes(declaration, obj, names)
        if not changes:
            continue
        changed += 1
        if dry_run:
            continue
        for name in declaration.files:
            attname = model._meta.get_field(name).attname
            if attname in changes:
                getattr(obj, name).delete(save=False)
        model._default_manager.filter(pk=obj.pk).update(**changes)
    return changed


def delete_rows(declaration, rows):
    model = declaration.model_class
    ids = list(rows.values_list("pk", flat=True))
    if declaration.files:
        for obj in model._default_manager.filter(pk__in=ids):
            for name in declaration.files:
                if getattr(obj, name):
                    getattr(obj, name).delete(save=False)
    model._default_manager.filter(pk__in=ids).delete()
    return len(ids)


# -- the sweep: a person's strings out of every text column -------------------------------------


def needles_for(user, extra_emails=()):
    """The strings that identify `user` in free text: emails and full name (both orders)."""
    emails = {e.lower() for e in [user.email, *extra_emails] if e and "@" in e}
    names = set()
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        # Both orders, and SCORM's "Last, First" (cmi.core.student_name).
        names |= {f"{first} {last}", f"{last} {first}", f"{last}, {first}"}
    return sorted(emails), sorted(names)


def _json_variants(text):
    escaped = json.dumps(text)[1:-1]
    return {text, escaped} if escaped != text else {text}


def _replace_in(value, pattern, replacement):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace_in(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {
            _replace_in(k, pattern, replacement): _replace_in(v, pattern, replacement)
            for k, v in value.items()
        }
    return value


def text_columns(model):
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.choices
        and not isinstance(f, models.FileField)
    ]


def sweep(emails, names, *, email_replacement, name_replacement=ANON, skip=None):
    """Replace the person's emails and full names in every text and JSON column of every model.

    `skip(model)` returns a Q of rows to leave alone (kept by law), or True to skip the model.
    Returns {model label: rows changed}.
    """
    replacements = [(e, email_replacement) for e in emails] + [(n, name_replacement) for n in names]
    if not replacements:
        return {}
    patterns = [
        (re.compile(re.escape(needle), re.IGNORECASE), replacement)
        for needle, replacement in replacements
    ]
    changed = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in tables:
            continue
        leave = skip(model) if skip else None
        if leave is True:
            continue
        columns = text_columns(model)
        if not columns:
            continue
        query = Q()
        annotations = {}
        for column in columns:
            if isinstance(column, models.JSONField):
                alias = f"_privacy_{column.attname}"
                annotations[alias] = Cast(column.attname, models.TextField())
                target = alias
                variants = set()
                for needle, _ in replacements:
                    variants |= _json_variants(needle)
            else:
                target = column.attname
                variants = {needle for needle, _ in replacements}
            for variant in variants:
                query |= Q(**{f"{target}__icontains": variant})
        queryset = model._default_manager.alias(**annotations).filter(query)
        if isinstance(leave, Q):
            queryset = queryset.exclude(leave)
        count = 0
        for obj in queryset.iterator(chunk_size=200):
            updates = {}
            for column in columns:
                value = getattr(obj, column.attname)
                new = value
                for pattern, replacement in patterns:
                    new = _replace_in(new, pattern, replacement)
                if isinstance(column, models.CharField) and isinstance(new, str):
                    new = new[: column.max_length]
                if new != value:
                    updates[column.attname] = new
            if updates:
                model._default_manager.filter(pk=obj.pk).update(**updates)
                count += 1
        if count:
            changed[model._meta.label] = count
    return changed
