"""Activity kinds served by other apps (quizzes, scorm, exercises), without learning importing them.

An app that provides a kind registers it once, in its AppConfig.ready():

    from ilmis.learning import kinds
    kinds.register(
        "quiz",
        launch_url=lambda activity: reverse("quizzes:start", args=[activity.uuid]),
        is_completed=lambda user, activity: ...,          # optional check, see below
        staff_url=lambda activity: reverse(...),          # optional: where staff configure it
        attach=lambda activity, obj: ...,                 # optional: link an imported object
    )

The source of truth for progress is learning.ActivityCompletion, which the app writes by calling
`ilmis.learning.services.mark_completed(user, activity, source="quiz")` when the learner finishes.
`is_completed` is consulted when the learner opens the activity page, to catch up a completion
that was not recorded (it then calls mark_completed). Until a kind is registered, its
activities show "bientôt disponible".
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class KindHandler:
    kind: str
    launch_url: Callable
    is_completed: Callable | None = None
    staff_url: Callable | None = None
    attach: Callable | None = None


_registry: dict[str, KindHandler] = {}


def register(kind, *, launch_url, is_completed=None, staff_url=None, attach=None):
    _registry[kind] = KindHandler(kind, launch_url, is_completed, staff_url, attach)


def unregister(kind):
    _registry.pop(kind, None)


def get(kind):
    """The handler registered for `kind`, or None ("bientôt disponible")."""
    return _registry.get(kind)


def launch_url(activity):
    handler = get(activity.kind)
    return handler.launch_url(activity) if handler else None
