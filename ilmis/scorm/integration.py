"""The SCORM activity kind for the learning app (ilmis.learning.kinds)."""

from django.urls import reverse

from .models import ScormPackage


def package_for(activity):
    """The package an activity launches: the latest one attached to it."""
    return ScormPackage.objects.filter(activity=activity).order_by("-uploaded_at", "-pk").first()


def launch_url(activity):
    package = package_for(activity)
    return reverse("scorm:player", args=[package.uuid]) if package else None


def staff_url(activity):
    package = package_for(activity)
    return reverse("scorm:package", args=[package.uuid]) if package else reverse("scorm:packages")


def is_completed(user, activity):
    from .services import package_result

    package = package_for(activity)
    return bool(package) and package_result(user, package)["completed"]


def attach(activity, package):
    """Link `package` to `activity`; its learners are those of the activity's programme."""
    from ilmis.audit.services import record

    package.activity = activity
    package.programme = activity.module.programme
    package.save(update_fields=["activity", "programme"])
    record("scorm.package_attached", package, to_state=str(activity.pk))


def notify_completion(attempt):
    """Tell the learning app when the learner has completed the whole package."""
    package = attempt.sco.package
    if not attempt.is_completed or package.activity_id is None:
        return
    from .services import package_result

    if package_result(attempt.learner, package)["completed"]:
        from ilmis.learning.services import mark_completed

        mark_completed(attempt.learner, package.activity, source="scorm")
