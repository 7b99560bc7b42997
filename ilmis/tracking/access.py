"""Who sees whose tracking data (R11.4): the one access check of the tracking app.

- a learner: their own records;
- staff and admins: everyone's;
- a trainer: the learners of the sessions where they are a tutor (SessionTutor);
- a company manager: the learners of their own company (same client), nobody else.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from ilmis.enrolment.models import Enrolment

from .models import SessionTutor


def _confirmed():
    return Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED)


def tutored_sessions(trainer):
    return SessionTutor.objects.filter(trainer=trainer).values("session_id")


def learners_q(viewer):
    """A Q on users: the learners `viewer` may see the tracking data of."""
    if not (viewer and viewer.is_authenticated):
        return Q(pk__in=[])
    if viewer.is_back_office:
        return Q(role="learner")
    if viewer.is_manager and viewer.client_id:
        return Q(role="learner", client_id=viewer.client_id)
    if viewer.is_trainer:
        learners = _confirmed().filter(session_id__in=tutored_sessions(viewer)).values("learner_id")
        return Q(pk__in=learners)
    return Q(pk=viewer.pk)


def visible_learners(viewer):
    return get_user_model().objects.filter(learners_q(viewer))


def can_view_learner(viewer, learner):
    if not (viewer and viewer.is_authenticated):
        return False
    if viewer.pk == learner.pk:
        return True
    return get_user_model().objects.filter(learners_q(viewer), pk=learner.pk).exists()


def require_learner(viewer, learner):
    if not can_view_learner(viewer, learner):
        raise PermissionDenied


def enrolments_q(viewer):
    return Q(learner__in=visible_learners(viewer))


def is_back_office(user):
    return bool(user and user.is_authenticated and user.is_back_office)


def require_back_office(user):
    if not is_back_office(user):
        raise PermissionDenied


def is_staff_or_trainer(user):
    return bool(user and user.is_authenticated and (user.is_back_office or user.is_trainer))


# -- tutor exchanges (R11.2) --------------------------------------------------------------------


def tutors_of(learner, programme):
    """The trainers tutoring `learner` in `programme` (through the sessions they are in)."""
    sessions = (
        _confirmed().filter(learner=learner, session__programme=programme).values("session_id")
    )
    user_model = get_user_model()
    ids = SessionTutor.objects.filter(session_id__in=sessions).values("trainer_id")
    return user_model.objects.filter(pk__in=ids, is_active=True)


def threads_q(viewer):
    """A Q on threads: the learner's own; a tutor's learners' (same programme); staff all."""
    if not (viewer and viewer.is_authenticated):
        return Q(pk__in=[])
    if viewer.is_back_office:
        return Q()
    if viewer.is_trainer:
        pairs = _confirmed().filter(session_id__in=tutored_sessions(viewer))
        return Q(
            learner_id__in=pairs.values("learner_id"),
            programme_id__in=pairs.values("session__programme_id"),
        )
    return Q(learner=viewer)


def can_answer(viewer, thread):
    """Staff, or a trainer tutoring this learner in this programme."""
    if not (viewer and viewer.is_authenticated):
        return False
    if viewer.is_back_office:
        return True
    return (
        viewer.is_trainer
        and tutors_of(thread.learner, thread.programme).filter(pk=viewer.pk).exists()
    )


def is_disability_contact(user):
    contact = settings.ORGANISATION.get("disability_contact", "")
    return bool(
        user
        and user.is_authenticated
        and (user.is_back_office or (contact and user.email.lower() == contact.lower()))
    )
