"""The one access check of the SCORM app (R6.2): who may play a package and fetch its files."""


def is_privileged(user):
    return bool(user and user.is_authenticated and (user.is_back_office or user.is_trainer))


def can_play(user, package):
    """Staff and trainers always; a learner through their enrolment's access window in the
    package's programme; nobody else (a package without a programme is for staff only)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_privileged(user):
        return True
    if package.programme_id is None or not user.is_learner:
        return False
    from ilmis.enrolment.access import has_access

    return has_access(user, package.programme)


def can_manage(user):
    """Import, delete and diagnostics: back-office staff (trainers may read diagnostics)."""
    return bool(user and user.is_authenticated and user.is_back_office)


def can_diagnose(user):
    return is_privileged(user)
