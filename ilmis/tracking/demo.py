"""Demo data for `ilmis demo`: the demo trainer tutors every session that has learners, so that
tutor exchanges and inactivity alerts reach someone in a trial (idempotent)."""


def load_demo():
    from ilmis.accounts.models import User
    from ilmis.catalog.models import Session

    from .models import SessionTutor

    trainer = (
        User.objects.filter(email="formateur@demo.ilmis.fr", role=User.Role.TRAINER).first()
        or User.objects.filter(role=User.Role.TRAINER, is_active=True).first()
    )
    if trainer is None:
        return
    sessions = Session.objects.filter(enrolments__status="confirmed").distinct()
    for session in sessions:
        if not SessionTutor.objects.filter(session=session).exists():
            SessionTutor.objects.create(session=session, trainer=trainer)
