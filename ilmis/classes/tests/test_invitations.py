"""R10.1: scheduling with a pasted link, .ics invitations, dashboard, private calendar feed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from ilmis.classes import services
from ilmis.classes.models import PARIS, CalendarFeed, LiveClass
from ilmis.enrolment.testing import enrol

from .conftest import paris

pytestmark = pytest.mark.django_db

TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"


def make_class(session, trainer, day, start=10, end=12, **extra):
    return services.schedule(
        session=session,
        title=extra.pop("title", "Tableaux croisés dynamiques"),
        start=paris(day, start),
        end=paris(day, end),
        trainer=trainer,
        join_url=extra.pop("join_url", TEAMS),
        by=extra.pop("by", trainer),
    )


def calendars_for(messages, email):
    found = []
    for message in messages:
        if email in message.to:
            for filename, content, mimetype in message.attachments:
                if filename == "classe.ics":
                    found.append((Calendar.from_ical(content), mimetype, message))
    return found


def vevent(calendar):
    return calendar.walk("VEVENT")[0]


def test_staff_schedules_with_a_pasted_link_and_learners_get_ics(
    client, staff, session, trainer, enrolled, outsider, tomorrow, mailbox
):
    """R10.1: without Graph the Teams link is pasted; each confirmed learner receives an email
    with an .ics whose times are in Europe/Paris; a learner of another session receives nothing."""
    client.force_login(staff)
    response = client.post(
        reverse("classes:schedule"),
        {
            "session": session.pk,
            "title": "Tableaux croisés dynamiques",
            "day": tomorrow.isoformat(),
            "start_time": "09:30",
            "end_time": "11:45",
            "trainer": trainer.pk,
            "join_url": TEAMS,
        },
    )
    live_class = LiveClass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("classes:detail", args=[live_class.pk])
    assert live_class.provider == LiveClass.Provider.LINK and live_class.join_url == TEAMS

    messages = mailbox()
    [(calendar, mimetype, message)] = calendars_for(messages, enrolled.email)
    assert not calendars_for(messages, outsider.email)
    assert calendars_for(messages, trainer.email)
    assert "method=REQUEST" in mimetype
    assert calendar["METHOD"] == "REQUEST"
    event = vevent(calendar)
    start = event.decoded("DTSTART")
    assert start == paris(tomorrow, 9, 30)
    assert start.tzinfo.key == "Europe/Paris"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") == paris(tomorrow, 11, 45)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    assert str(event["UID"]) == live_class.ical_uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["URL"]) == TEAMS and TEAMS in str(event["LOCATION"])
    assert "https://www.microsoft.com/fr-fr/servicesagreement" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert str(event["ATTENDEE"]) == f"mailto:{enrolled.email}"
    assert TEAMS in message.body
    assert "https://www.microsoft.com/fr-fr/servicesagreement" in message.body
    assert "Tableaux croisés dynamiques" in message.subject


def test_sequence_increases_and_cancel_sends_method_cancel(
    session, trainer, enrolled, tomorrow, mailbox
):
    """R10.1: the UID stays, SEQUENCE increases on each change, cancellation is METHOD:CANCEL
    with STATUS:CANCELLED."""
    live_class = make_class(session, trainer, tomorrow)
    live_class, changes = services.update(
        live_class,
        title="Tableaux croisés — partie 2",
        start=paris(tomorrow, 14),
        end=paris(tomorrow, 16),
        trainer=trainer,
        join_url=TEAMS,
        by=trainer,
    )
    assert [str(c) for c in changes] == ["titre", "horaires"]
    services.cancel(live_class, by=trainer, reason="Formateur indisponible")
    calendars = sorted(
        (c for c, _m, _msg in calendars_for(mailbox(), enrolled.email)),
        key=lambda c: int(vevent(c)["SEQUENCE"]),
    )
    assert [c["METHOD"] for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [vevent(c) for c in calendars]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1].decoded("DTSTART") == paris(tomorrow, 14)
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert "Formateur indisponible" in str(events[2]["DESCRIPTION"])


def test_update_without_change_sends_nothing(session, trainer, enrolled, tomorrow, mailbox):
    live_class = make_class(session, trainer, tomorrow)
    mailbox()
    mail.outbox = []
    _same, changes = services.update(
        live_class,
        title=live_class.title,
        start=live_class.start,
        end=live_class.end,
        trainer=trainer,
        join_url=TEAMS,
        by=trainer,
    )
    assert changes == [] and mailbox() == []
    assert LiveClass.objects.get().sequence == 0


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://teams.microsoft.com/l/meetup-join/x", "https://"),
        ("https://teams.microsoft.com.evil.example/l/x", "pas un lien Microsoft Teams"),
        ("https://zoom.us/j/123", "pas un lien Microsoft Teams"),
        ("", "Collez le lien"),
    ],
)
def test_pasted_link_must_be_teams_over_https(client, trainer, session, tomorrow, url, message):
    """R10.1: a pasted link is https on teams.microsoft.com / teams.live.com, else a clear error."""
    client.force_login(trainer)
    response = client.post(
        reverse("classes:schedule"),
        {
            "session": session.pk,
            "title": "T",
            "day": tomorrow.isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "trainer": trainer.pk,
            "join_url": url,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert LiveClass.objects.count() == 0


def test_teams_live_link_accepted():
    assert services.validate_join_url("https://teams.live.com/meet/9312") == (
        "https://teams.live.com/meet/9312"
    )


@pytest.mark.parametrize(
    "start, end, message",
    [("11:00", "10:00", "après son début"), ("08:00", "18:00", "au plus 8 heures")],
)
def test_bad_times_refused(client, trainer, session, tomorrow, start, end, message):
    client.force_login(trainer)
    response = client.post(
        reverse("classes:schedule"),
        {
            "session": session.pk,
            "title": "T",
            "day": tomorrow.isoformat(),
            "start_time": start,
            "end_time": end,
            "trainer": trainer.pk,
            "join_url": TEAMS,
        },
    )
    assert message in response.content.decode()
    assert LiveClass.objects.count() == 0


def test_past_start_refused(trainer, session):
    from django.core.exceptions import ValidationError

    yesterday = session.start_date - timedelta(days=30)
    with pytest.raises(ValidationError, match="déjà passé"):
        make_class(session, trainer, yesterday)


def test_learner_cannot_schedule_edit_or_cancel(client, enrolled, session, trainer, tomorrow):
    """Only trainers and staff schedule; only the class's trainer or staff edit and cancel."""
    live_class = make_class(session, trainer, tomorrow)
    client.force_login(enrolled)
    assert client.get(reverse("classes:schedule")).status_code == 403
    assert client.post(reverse("classes:cancel", args=[live_class.pk])).status_code == 403
    assert client.get(reverse("classes:edit", args=[live_class.pk])).status_code == 403
    assert not LiveClass.objects.get().is_cancelled


def test_other_trainer_cannot_cancel(client, make_user, session, trainer, tomorrow):
    live_class = make_class(session, trainer, tomorrow)
    other = make_user(role="trainer")
    client.force_login(other)
    assert client.post(reverse("classes:cancel", args=[live_class.pk])).status_code == 403
    client.force_login(trainer)
    response = client.post(reverse("classes:cancel", args=[live_class.pk]), {"reason": "Grève"})
    assert response.status_code == 302
    assert LiveClass.objects.get().cancel_reason == "Grève"


def test_edit_through_the_form(client, trainer, session, enrolled, tomorrow, mailbox):
    live_class = make_class(session, trainer, tomorrow)
    mailbox()
    mail.outbox = []
    client.force_login(trainer)
    response = client.post(
        reverse("classes:edit", args=[live_class.pk]),
        {
            "title": "Nouveau titre",
            "day": tomorrow.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "trainer": trainer.pk,
            "join_url": TEAMS,
        },
    )
    assert response.status_code == 302
    [(calendar, _m, message)] = calendars_for(mailbox(), enrolled.email)
    assert int(vevent(calendar)["SEQUENCE"]) == 1
    assert "Modification" in message.subject


def test_dashboard_panel_lists_upcoming_classes(
    client, enrolled, outsider, session, trainer, tomorrow
):
    """R10.1: learners see their upcoming classes on their dashboard; others do not."""
    make_class(session, trainer, tomorrow, title="Classe de révision")
    client.force_login(enrolled)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Classe de révision" in page
    client.force_login(outsider)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Classes virtuelles" in page and "Classe de révision" not in page


def test_private_feed_token_revocable(client, enrolled, outsider, session, trainer, tomorrow):
    """R10.1: a secret per-learner feed lists their classes; a wrong, regenerated-away or revoked
    token gives 404."""
    make_class(session, trainer, tomorrow, title="Classe A")
    other = services.schedule(
        session=outsider.enrolments.get().session,
        title="Classe d'une autre session",
        start=paris(tomorrow, 14),
        end=paris(tomorrow, 15),
        trainer=trainer,
        join_url=TEAMS,
        by=trainer,
    )
    client.force_login(enrolled)
    client.post(reverse("classes:calendar"), {"action": "regenerate"})
    feed = CalendarFeed.objects.get(user=enrolled)
    page = client.get(reverse("classes:calendar")).content.decode()
    assert feed.token in page
    client.logout()

    url = reverse("classes:feed", kwargs={"token": feed.token})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Classe A"]
    assert other.title.encode() not in response.content

    assert client.get(reverse("classes:feed", kwargs={"token": "x" * 43})).status_code == 404

    client.force_login(enrolled)
    client.post(reverse("classes:calendar"), {"action": "regenerate"})
    client.logout()
    assert client.get(url).status_code == 404
    new = CalendarFeed.objects.get(user=enrolled)
    assert client.get(reverse("classes:feed", kwargs={"token": new.token})).status_code == 200

    client.force_login(enrolled)
    client.post(reverse("classes:calendar"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("classes:feed", kwargs={"token": new.token})).status_code == 404


def test_feed_shows_cancellation(client, enrolled, session, trainer, tomorrow):
    live_class = make_class(session, trainer, tomorrow)
    services.cancel(live_class, by=trainer)
    feed = services.regenerate_feed(enrolled)
    calendar = Calendar.from_ical(
        client.get(reverse("classes:feed", kwargs={"token": feed.token})).content
    )
    event = calendar.walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_learner_whose_access_ended_is_not_invited(make_user, session, trainer, tomorrow, mailbox):
    from django.utils import timezone

    former = make_user(role="learner")
    enrol(
        former,
        session,
        start=timezone.now() - timedelta(days=100),
        end=timezone.now() - timedelta(days=10),
    )
    make_class(session, trainer, tomorrow)
    assert not calendars_for(mailbox(), former.email)


def test_invitation_download(client, enrolled, outsider, session, trainer, tomorrow):
    live_class = make_class(session, trainer, tomorrow)
    client.force_login(enrolled)
    response = client.get(reverse("classes:invitation", args=[live_class.pk]))
    event = vevent(Calendar.from_ical(response.content))
    assert event.decoded("DTSTART").astimezone(PARIS).hour == 10
    client.force_login(outsider)
    response = client.get(reverse("classes:invitation", args=[live_class.pk]))
    assert response.status_code == 403 and TEAMS.encode() not in response.content
