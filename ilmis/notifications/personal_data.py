"""Personal data held by notifications (declared for ilmis.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData


def _sent_to(user):
    # `to` is a JSON list of addresses: match the quoted address, not a longer one ending so.
    return Q(to__icontains=f'"{user.email}"')


DECLARATIONS = [
    PersonalData(
        model="notifications.OutgoingEmail",
        subject=_sent_to,
        json=["to"],
        free_text=["subject", "body", "html_body"],
        # `to` may list other recipients: the archive says it was sent to the person, no more.
        others=["to", "cc", "bcc", "reply_to", "headers", "last_error"],
        hidden=["attachments", "html_body"],
        on_erasure="delete",
        retention="outbox",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("exécution du contrat (convocations, avis)"),
        label=_("courriels qui vous ont été envoyés"),
    ),
]
