"""Active time from beats (R11.4): idle gaps, two tabs, replays and out-of-order beats."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ilmis.tracking import services
from ilmis.tracking.models import Beat

T0 = timezone.make_aware(datetime(2026, 3, 2, 10, 0, 0))


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def credited(beats, interval=30):
    return sum(
        (end - start).total_seconds()
        for _a, start, end in services.credited_segments(sorted(beats), timedelta(seconds=interval))
    )


def test_each_beat_credits_at_most_the_interval_and_idle_gaps_count_nothing():
    """R11.4: 3 beats 30 s apart, 10 idle minutes, 2 beats: 90 s + 60 s, not 11 minutes."""
    beats = [(at(s), 1) for s in (0, 30, 60, 660, 690)]
    assert credited(beats) == 90 + 60


def test_two_tabs_at_the_same_time_count_the_wall_clock_once():
    """R11.4: two tabs beating for the same 2 minutes credit 2 minutes (+ the first window)."""
    tab_a = [(at(s), 1) for s in range(0, 121, 30)]
    tab_b = [(at(s + 10), 2) for s in range(0, 121, 30)]
    assert credited(tab_a) == 150
    assert credited(tab_a + tab_b) == 160  # [-30 s, 130 s], once


def beat(client, token, tab, seq):
    return client.post(reverse("tracking:beat"), {"token": token, "tab": tab, "seq": seq})


@pytest.fixture
def beating(client, alice, activities):
    client.force_login(alice)
    token = services.beat_token(alice, activities[0])
    assert token
    return client, token


def test_replayed_beats_are_not_double_counted(beating, alice, activities, monkeypatch):
    """R11.4: the same (tab, seq) received twice is stored once, whenever it arrives."""
    client, token = beating
    tab = str(uuid.uuid4())
    clock = [T0]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    for seq, offset in ((1, 0), (2, 30), (3, 60)):
        clock[0] = at(offset)
        assert beat(client, token, tab, seq).status_code == 204
    clock[0] = at(600)  # a replay ten minutes later
    assert beat(client, token, tab, 2).status_code == 204
    assert beat(client, token, tab, 3).status_code == 204
    assert Beat.objects.filter(learner=alice).count() == 3
    per_day = services.active_time([alice.pk])[alice.pk]
    assert sum(per_day.values()) == 90
    assert per_day[(activities[0].pk, T0.astimezone(timezone.get_current_timezone()).date())] == 90


def test_out_of_order_beats_are_not_double_counted(beating, alice, monkeypatch):
    """R11.4: seq 3 arriving before seq 2 adds no time beyond the wall clock."""
    client, token = beating
    tab = str(uuid.uuid4())
    clock = [T0]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    for seq, offset in ((1, 0), (3, 30), (2, 31), (4, 60)):
        clock[0] = at(offset)
        assert beat(client, token, tab, seq).status_code == 204
    total = sum(services.active_time([alice.pk])[alice.pk].values())
    assert total == 90  # 30 + 30 + 1 + 29, never more than the 90 s wall clock


def test_two_tabs_through_the_endpoint(beating, alice, monkeypatch):
    """R11.4: two tabs of the same learner, beating together, count once."""
    client, token = beating
    tabs = [str(uuid.uuid4()), str(uuid.uuid4())]
    clock = [T0]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    for n, offset in enumerate(range(0, 91, 30), start=1):
        for k, tab in enumerate(tabs):
            clock[0] = at(offset + k * 5)
            assert beat(client, token, tab, n).status_code == 204
    total = sum(services.active_time([alice.pk])[alice.pk].values())
    assert total == 125  # from -30 s to 95 s


def test_time_is_split_at_midnight(alice, activities):
    """R11.4: time per day, cut at local midnight."""
    tz = timezone.get_current_timezone()
    midnight = timezone.make_aware(datetime(2026, 3, 3, 0, 0, 0), tz)
    for seq, s in enumerate((-20, 10), start=1):
        Beat.objects.create(
            learner=alice,
            activity=activities[0],
            tab=uuid.uuid4(),
            seq=seq,
            at=midnight + timedelta(seconds=s),
        )
    days = services.time_by_day(services.active_time([alice.pk])[alice.pk])
    # [-50 s, -20 s] and [-20 s, +10 s]: 50 s before midnight, 10 s after
    assert days == {midnight.date() - timedelta(days=1): 50.0, midnight.date(): 10.0}


def test_beat_refused_without_access_or_with_someone_elses_token(
    client, alice, make_user, activities
):
    """R11.4: only an enrolled learner, with a token issued to them, sends beats."""
    token = services.beat_token(alice, activities[0])
    intruder = make_user(role="learner")
    assert services.beat_token(intruder, activities[0]) == ""  # not enrolled: no beacon
    client.force_login(intruder)
    response = beat(client, token, str(uuid.uuid4()), 1)
    assert response.status_code == 403
    assert beat(client, "forged", str(uuid.uuid4()), 1).status_code == 400
    client.logout()
    assert beat(client, token, str(uuid.uuid4()), 1).status_code == 403
    assert not Beat.objects.exists()


def test_beat_refused_after_the_access_window(client, alice, enrolment, activities, monkeypatch):
    """R5.4, R11.4: a token issued before the end of access is refused after it."""
    token = services.beat_token(alice, activities[0])
    client.force_login(alice)
    later = enrolment.access_end + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert beat(client, token, str(uuid.uuid4()), 1).status_code == 403
    assert not Beat.objects.exists()


def test_beat_needs_csrf(alice, activities):
    """R8.1: the endpoint is CSRF-protected."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    token = services.beat_token(alice, activities[0])
    assert beat(client, token, str(uuid.uuid4()), 1).status_code == 403
    assert not Beat.objects.exists()


def test_expired_token_is_rechecked_and_renewed(client, alice, activities, settings):
    """R11.4: after the token's age, access is checked again and a fresh token returned."""
    settings.ILMIS_BEAT_TOKEN_SECONDS = -1
    client.force_login(alice)
    token = services.beat_token(alice, activities[0])
    response = beat(client, token, str(uuid.uuid4()), 1)
    assert response.status_code == 200
    assert response.json()["token"]
    assert Beat.objects.count() == 1


def test_beat_endpoint_is_cheap(client, alice, activities, django_assert_max_num_queries):
    """R11.4: the beat itself is one INSERT; the rest is the shared middleware (session, user,
    allauth user sessions, terms acceptance, session save)."""
    client.force_login(alice)
    token = services.beat_token(alice, activities[0])
    beat(client, token, str(uuid.uuid4()), 1)
    with django_assert_max_num_queries(13) as queries:
        beat(client, token, str(uuid.uuid4()), 2)
    mine = [q for q in queries.captured_queries if "tracking_" in q["sql"]]
    assert len(mine) == 1


def test_activity_page_include_renders_the_beacon(rf, alice, activities):
    """R11.4: the include used by the activity page renders the beacon for the learner only."""
    from django.template import engines

    template = engines["django"].from_string(
        '{% include "tracking/activity.html" with activity=activity %}'
    )
    request = rf.get("/")
    request.user = alice
    html = template.render({"activity": activities[0], "user": alice}, request)
    assert 'id="tracking-beat"' in html and "beat.js" in html
    assert reverse("tracking:write_activity", args=[activities[0].uuid]) in html
    staff = type(alice).objects.create(email="x@example.test", role="staff")
    request.user = staff
    html = template.render({"activity": activities[0], "user": staff}, request)
    assert "tracking-beat" not in html and "tuteur" not in html


def test_logins_and_logouts_are_recorded(client, alice):
    """R11.4: connections are kept."""
    from ilmis.tracking.models import Connection

    client.force_login(alice)
    client.post(reverse("account_logout"))
    kinds = list(Connection.objects.filter(user=alice).values_list("kind", flat=True))
    assert kinds == ["login", "logout"]
