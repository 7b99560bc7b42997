"""iCalendar (RFC 5545 / iTIP RFC 5546) for live classes, built with `icalendar` (R10.1).

- UID stable per class (`LiveClass.ical_uid`), SEQUENCE = `LiveClass.sequence` (raised on every
  change), METHOD:REQUEST for an invitation or an update, METHOD:CANCEL + STATUS:CANCELLED for a
  cancellation, METHOD:PUBLISH for the subscription feed;
- DTSTART/DTEND with TZID=Europe/Paris and a compact VTIMEZONE (rules, not a list of dates);
- URL and LOCATION are the Teams join link; DESCRIPTION links Microsoft's terms of use.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

MICROSOFT_TERMS = "https://www.microsoft.com/fr-fr/servicesagreement"
PRODID = "-//ILMIS Learn//Classes virtuelles//FR"


def paris_timezone():
    tz = Timezone()
    tz.add("tzid", "Europe/Paris")
    tz.add("x-lic-location", "Europe/Paris")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _calendar(method):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add_component(paris_timezone())
    return cal


def _address(email, name):
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = name
    return address


def description(live_class):
    lines = [
        _("Classe virtuelle de la session « %(session)s » (%(programme)s).")
        % {"session": live_class.session, "programme": live_class.session.programme.title},
        _("Formateur : %(name)s") % {"name": live_class.trainer.get_full_name()},
        "",
        _("Rejoindre la réunion Microsoft Teams : %(url)s") % {"url": live_class.join_url},
        _("Pensez à signer votre présence sur la plateforme pour chaque demi-journée : %(url)s")
        % {"url": f"{settings.SITE_URL}/classes/{live_class.pk}/"},
        "",
        _("La réunion se tient sur Microsoft Teams, soumis aux conditions de Microsoft : %(url)s")
        % {"url": MICROSOFT_TERMS},
    ]
    if live_class.is_cancelled:
        lines.insert(
            0,
            _("CETTE CLASSE EST ANNULÉE.")
            + (f" {live_class.cancel_reason}" if live_class.cancel_reason else ""),
        )
    return "\n".join(lines)


def event(live_class, *, attendee=None):
    organisation = settings.ORGANISATION
    item = Event()
    item.add("uid", live_class.ical_uid)
    item.add("sequence", live_class.sequence)
    item.add("dtstamp", timezone.now().astimezone(UTC))
    item.add("last-modified", (live_class.updated_at or timezone.now()).astimezone(UTC))
    item.add("created", live_class.created_at.astimezone(UTC))
    item.add("dtstart", live_class.local_start())
    item.add("dtend", live_class.local_end())
    item.add("summary", live_class.title)
    item.add("description", description(live_class))
    item.add("location", _("Microsoft Teams : %(url)s") % {"url": live_class.join_url})
    item.add("url", live_class.join_url)
    item.add("organizer", _address(organisation["email"], organisation["name"]))
    if attendee is not None:
        address = _address(attendee.email, attendee.get_full_name())
        address.params["role"] = "REQ-PARTICIPANT"
        address.params["partstat"] = "NEEDS-ACTION"
        address.params["rsvp"] = "FALSE"
        item.add("attendee", address)
    if live_class.is_cancelled:
        item.add("status", "CANCELLED")
    else:
        item.add("status", "CONFIRMED")
        item.add("transp", "OPAQUE")
    return item


def invitation(live_class, attendee=None):
    """The .ics attached to an email: REQUEST, or CANCEL once the class is cancelled."""
    cal = _calendar("CANCEL" if live_class.is_cancelled else "REQUEST")
    cal.add_component(event(live_class, attendee=attendee))
    return cal.to_ical()


def method_of(live_class):
    return "CANCEL" if live_class.is_cancelled else "REQUEST"


def feed(live_classes, name):
    """A subscription calendar (METHOD:PUBLISH) of several classes, cancelled ones included."""
    cal = _calendar("PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for live_class in live_classes:
        cal.add_component(event(live_class))
    return cal.to_ical()
