"""Who may see a programme's content (R5.4, R6.2): the one access check, used by every content app.

- back-office staff and trainers: always;
- a learner: only with a confirmed enrolment in a session of the programme whose access window
  [access_start, access_end) contains `now`;
- anyone else: refused, with a clear French message saying why.
"""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ilmis.catalog.models import Programme

from .models import Enrolment


def _is_privileged(user):
    return bool(user and user.is_authenticated and (user.is_back_office or user.is_trainer))


def _confirmed(user, programme):
    return Enrolment.objects.filter(
        learner=user, session__programme=programme, status=Enrolment.Status.CONFIRMED
    )


def current_enrolment(user, programme, now=None):
    """The confirmed enrolment of `user` in `programme` whose window contains `now`, or None."""
    if not (user and user.is_authenticated):
        return None
    now = now or timezone.now()
    return (
        _confirmed(user, programme)
        .filter(access_start__lte=now, access_end__gt=now)
        .select_related("session")
        .order_by("-access_end")
        .first()
    )


def _when(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def denial_reason(user, programme, now=None):
    """None if `user` may see `programme`'s content at `now`; otherwise why not, in French."""
    if not (user and user.is_authenticated):
        return _("Connectez-vous pour accéder à cette formation.")
    if _is_privileged(user):
        return None
    now = now or timezone.now()
    windows = list(_confirmed(user, programme).values_list("access_start", "access_end"))
    if not windows:
        return _(
            "Vous n'êtes pas inscrit(e) à cette formation, ou votre inscription n'est pas encore "
            "confirmée (convention signée). Contactez-nous si vous pensez qu'il s'agit "
            "d'une erreur."
        )
    if any(start <= now < end for start, end in windows):
        return None
    upcoming = [start for start, _end in windows if start > now]
    if upcoming:
        return _(
            "Votre accès à cette formation n'est pas encore ouvert : il ouvrira le %(date)s."
        ) % {"date": _when(min(upcoming))}
    return _(
        "Votre accès à cette formation a pris fin le %(date)s. Vos données sont conservées ; "
        "contactez-nous si vous avez besoin d'une prolongation."
    ) % {"date": _when(max(end for _start, end in windows))}


def has_access(user, programme, now=None):
    return denial_reason(user, programme, now=now) is None


def accessible_programmes(user, now=None):
    """The programmes whose content `user` may see at `now` (a queryset)."""
    if not (user and user.is_authenticated):
        return Programme.objects.none()
    if _is_privileged(user):
        return Programme.objects.all()
    now = now or timezone.now()
    ids = Enrolment.objects.filter(
        learner=user,
        status=Enrolment.Status.CONFIRMED,
        access_start__lte=now,
        access_end__gt=now,
    ).values("session__programme_id")
    return Programme.objects.filter(pk__in=ids)
