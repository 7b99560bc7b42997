from datetime import timedelta

import pytest
from django.utils import timezone

from ilmis.enrolment import access
from ilmis.enrolment.testing import enrol, make_programme


@pytest.mark.django_db
def test_learner_inside_window_has_access_and_second_learner_is_refused(make_user):
    """R5.4, R6.2: only the enrolled learner, inside the window, sees the programme."""
    programme = make_programme()
    alice, bob = make_user(role="learner"), make_user(role="learner")
    enrolment = enrol(alice, programme)
    assert access.has_access(alice, programme)
    assert access.current_enrolment(alice, programme) == enrolment
    assert list(access.accessible_programmes(alice)) == [programme]
    assert not access.has_access(bob, programme)
    assert "pas inscrit" in access.denial_reason(bob, programme)
    assert access.current_enrolment(bob, programme) is None
    assert list(access.accessible_programmes(bob)) == []


@pytest.mark.django_db
def test_window_before_and_after(make_user):
    """R5.4 time travel: before the window 'pas encore ouvert', after it 'a pris fin'."""
    programme = make_programme()
    alice = make_user(role="learner")
    start = timezone.now() + timedelta(days=3)
    enrol(alice, programme, start=start, end=start + timedelta(days=30))
    assert "pas encore ouvert" in access.denial_reason(alice, programme)
    assert access.has_access(alice, programme, now=start + timedelta(minutes=1))
    later = start + timedelta(days=30)
    reason = access.denial_reason(alice, programme, now=later)
    assert "a pris fin" in reason
    assert list(access.accessible_programmes(alice, now=later)) == []


@pytest.mark.django_db
def test_withdrawn_enrolment_gives_no_access(make_user):
    """R2.5: a withdrawn enrolment opens nothing."""
    programme = make_programme()
    alice = make_user(role="learner")
    enrol(alice, programme, status="withdrawn")
    assert not access.has_access(alice, programme)


@pytest.mark.django_db
def test_staff_and_trainers_always_anonymous_never(staff, make_user):
    """R6.2: back office and trainers see content; a visitor does not."""
    from django.contrib.auth.models import AnonymousUser

    programme = make_programme()
    assert access.has_access(staff, programme)
    assert access.has_access(make_user(role="trainer"), programme)
    assert not access.has_access(AnonymousUser(), programme)
    assert programme in access.accessible_programmes(staff)
