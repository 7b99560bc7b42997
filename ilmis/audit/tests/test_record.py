"""The audit trail every app writes through (who, when, from which state to which)."""

import pytest

from ilmis.audit.models import AuditEvent
from ilmis.audit.services import history, record

pytestmark = pytest.mark.django_db


def test_record_keeps_actor_target_states_and_data(learner, staff):
    event = record("account.updated", learner, actor=staff, from_state="a", to_state="b", x=1)
    assert (event.actor, event.target_id, event.from_state, event.to_state, event.data) == (
        staff,
        str(learner.pk),
        "a",
        "b",
        {"x": 1},
    )
    assert event in history(learner)


def test_long_states_are_cut_not_refused(learner):
    """PostgreSQL refuses an over-long value; a state made of two datetimes must still record."""
    long_state = "2026-11-26T09:00:00+01:00/2026-11-26T12:00:00+01:00/" * 3
    record("classes.updated", learner, from_state=long_state, to_state=long_state)
    event = AuditEvent.objects.get(action="classes.updated")
    assert event.to_state == long_state[:100]
