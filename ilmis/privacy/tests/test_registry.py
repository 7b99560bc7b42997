"""R7.2, R11.9: every model holding personal data is declared once, and declared correctly."""

from django.apps import apps

from ilmis.privacy import registry


def test_every_personal_model_is_declared():
    """R7.2 export completeness: a new model with personal data must be declared (or listed as
    not personal) in its app's personal_data.py; this names each one that is not."""
    missing = registry.undeclared_models()
    assert not missing, "Undeclared models holding personal data:\n" + "\n".join(
        f"  {label}: {', '.join(reasons)}" for label, reasons in sorted(missing.items())
    )


def test_declarations_match_their_models():
    """R7.2: declared fields, rectifiable fields and retention dates exist on their models."""
    assert registry.problems() == []


def test_detector_flags_a_new_personal_model(monkeypatch):
    """R7.2: the completeness check does fail on a model nobody declared."""
    user_model = apps.get_model("accounts", "User")
    real = registry._collect()
    declarations, not_personal = real
    trimmed = {k: v for k, v in declarations.items() if k != "support.complaint"}
    monkeypatch.setattr(registry, "_collect", lambda: (trimmed, not_personal))
    missing = registry.undeclared_models()
    assert "support.Complaint" in missing
    assert any("email" in reason for reason in missing["support.Complaint"])
    assert "user → user" in missing["support.Complaint"] or any(
        user_model._meta.model_name in r or "user" in r for r in missing["support.Complaint"]
    )


def test_not_personal_models_are_really_models():
    """Every label in NOT_PERSONAL names an installed model (no stale entries)."""
    labels = {m._meta.label_lower for m in apps.get_models()}
    assert sorted(set(registry.not_personal()) - labels) == []


def test_erasure_keeps_only_with_a_retention_period():
    """R11.9 / GDPR 17(3): what erasure keeps is kept for a period, then handled by the job."""
    kept_forever = [
        d.model
        for d in registry.declarations()
        if d.on_erasure == "keep" and not d.retention_rules() and d.personal_fields
    ]
    assert kept_forever == []
