"""The one access check of the learning app (R6.2), built on enrolment.access.denial_reason.

Every learner-facing view of an activity (page, file, video, completion, and the exercises app's
views) calls `check(user, activity)`:
- staff, admins and trainers: always (they also see activities not yet published);
- a learner: only inside the access window of a confirmed enrolment in the activity's programme
  (otherwise `AccessDenied` with the French reason, shown as a 403 page with no content), and only
  for activities of the programme's current published version (otherwise 404).
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import render

from ilmis.enrolment import access as enrolment_access


class AccessDenied(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def is_editor(user):
    """Trainers and back office: they see and edit every programme's content."""
    return bool(user and user.is_authenticated and (user.is_back_office or user.is_trainer))


def check_programme(user, programme, now=None):
    reason = enrolment_access.denial_reason(user, programme, now=now)
    if reason:
        raise AccessDenied(reason)


def check(user, activity, now=None):
    """Return None when `user` may see `activity` at `now`; raise AccessDenied or Http404."""
    from .services import current_version

    programme = activity.module.programme
    check_programme(user, programme, now=now)
    if is_editor(user):
        return
    version = current_version(programme)
    if version is None or str(activity.uuid) not in version.activity_uuids:
        raise Http404


def denied_response(request, reason):
    return render(request, "learning/denied.html", {"reason": reason}, status=403)


def learner_view(view):
    """Decorator: render AccessDenied as the 403 page with its French reason, and no content."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AccessDenied as denied:
            return denied_response(request, denied.reason)

    return wrapper
