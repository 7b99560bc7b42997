"""Who may see a live class, its join link, and sign its attendance sheet: the one check.

- back-office staff and trainers may see every class; the class's own trainer (or staff) may
  edit, cancel, confirm attendance; only the class's trainer signs as trainer;
- a learner sees a class (and its Teams link) only with a confirmed enrolment in the class's
  session whose access window is open now (R5.4); anyone else is refused with a French reason.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ilmis.enrolment.models import Enrolment


def is_manager(user):
    """May schedule classes: trainers and the back office."""
    return bool(user and user.is_authenticated and (user.is_back_office or user.is_trainer))


def can_edit(user, live_class):
    return bool(
        user
        and user.is_authenticated
        and (user.is_back_office or (user.is_trainer and live_class.trainer_id == user.pk))
    )


def _when(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def enrolment_of(user, session):
    return (
        Enrolment.objects.filter(learner=user, session=session, status=Enrolment.Status.CONFIRMED)
        .order_by("-access_end")
        .first()
    )


def learner_denial(user, live_class, now=None):
    """None if `user` is a learner of the class's session with an open access window."""
    if not (user and user.is_authenticated):
        return _("Connectez-vous pour accéder à cette classe virtuelle.")
    now = now or timezone.now()
    enrolment = enrolment_of(user, live_class.session_id)
    if enrolment is None:
        return _(
            "Cette classe virtuelle est réservée aux apprenants inscrits à la session "
            "« %(session)s »."
        ) % {"session": live_class.session}
    if now < enrolment.access_start:
        return _(
            "Votre accès à cette formation n'est pas encore ouvert : il ouvrira le %(date)s."
        ) % {"date": _when(enrolment.access_start)}
    if now >= enrolment.access_end:
        return _("Votre accès à cette formation a pris fin le %(date)s.") % {
            "date": _when(enrolment.access_end)
        }
    return None


def denial_reason(user, live_class, now=None):
    """None if `user` may see the class and its join link; otherwise why not, in French."""
    if is_manager(user):
        return None
    return learner_denial(user, live_class, now)
