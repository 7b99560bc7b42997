"""Tutor exchanges (R11.2): from an activity, answered by a named trainer, emailed, exported."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ilmis.tracking import services
from ilmis.tracking.models import Message, Thread


def test_learner_writes_from_an_activity_and_a_named_trainer_answers(
    client, alice, activities, tutored, trainer, mailbox
):
    """R11.2: timestamped thread, emailed to both sides, answered by a named trainer."""
    client.force_login(alice)
    url = reverse("tracking:write_activity", args=[activities[1].uuid])
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "Je ne comprends pas le rôle du Product Owner."})
    thread = Thread.objects.get(learner=alice)
    assert response.url == reverse("tracking:thread", args=[thread.pk])
    message = thread.messages.get()
    assert message.activity == activities[1] and message.created_at
    sent = mailbox()
    assert {tuple(m.to) for m in sent} == {(trainer.email,), (alice.email,)}
    to_tutor = next(m for m in sent if m.to == [trainer.email])
    assert "Product Owner" in to_tutor.body and "Les rôles" in to_tutor.body

    mail.outbox.clear()
    client.force_login(trainer)
    client.post(reverse("tracking:thread", args=[thread.pk]), {"body": "Il porte la vision."})
    answer = thread.messages.get(from_learner=False)
    assert answer.author == trainer and answer.answers_since == message.created_at
    sent = mailbox()
    to_learner = next(m for m in sent if m.to == [alice.email])
    assert "Claire Formatrice" in to_learner.body and "Il porte la vision." in to_learner.body
    page = client.get(reverse("tracking:thread", args=[thread.pk])).content.decode()
    assert "Claire Formatrice" in page


def test_empty_message_is_refused_and_nothing_written(client, alice, activities, mailbox):
    client.force_login(alice)
    url = reverse("tracking:write_activity", args=[activities[0].uuid])
    response = client.post(url, {"body": "   "})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not Message.objects.exists() and not mailbox()


def test_learner_not_enrolled_cannot_write(client, make_user, activities):
    stranger = make_user(role="learner")
    client.force_login(stranger)
    url = reverse("tracking:write_activity", args=[activities[0].uuid])
    response = client.post(url, {"body": "Bonjour"})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_only_tutors_and_staff_answer_and_read(client, alice, make_user, tutored, session):
    message = services.write_to_tutor(alice, session.programme, "Question")
    other_trainer = make_user(role="trainer")
    other_learner = make_user(role="learner")
    url = reverse("tracking:thread", args=[message.thread_id])
    for user in (other_trainer, other_learner):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "intrus"}).status_code == 404
    assert Message.objects.count() == 1


def test_export_and_response_times(client, staff, alice, tutored, trainer, session):
    """R11.2: CSV export of the thread; response time per trainer for staff."""
    first = services.write_to_tutor(alice, session.programme, "Question 1")
    Message.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=5))
    services.write_to_tutor(alice, session.programme, "Question 2")
    services.answer(first.thread, trainer, "Réponse")
    client.force_login(staff)
    csv_text = client.get(reverse("tracking:thread_export", args=[first.thread_id])).content
    csv_text = csv_text.decode()
    assert "Question 1" in csv_text and "Réponse" in csv_text and "Claire Formatrice" in csv_text
    assert ";5.0" in csv_text  # the answer came 5 hours after the oldest unanswered question
    page = client.get(reverse("tracking:response_times")).content.decode()
    assert "Claire Formatrice" in page and "<td>5,0</td>" in page
    client.force_login(alice)
    assert client.get(reverse("tracking:response_times")).status_code == 403


def test_export_neutralises_formulas(client, staff, alice, session):
    """R8.1: a message that looks like a spreadsheet formula is exported as text."""
    services.write_to_tutor(alice, session.programme, '=HYPERLINK("http://x")')
    client.force_login(staff)
    csv_text = client.get(reverse("tracking:threads_export")).content.decode()
    assert ";\"'=HYPERLINK" in csv_text
