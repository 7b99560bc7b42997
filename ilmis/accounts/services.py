"""Account rules: sign-up identity, company learners, sessions, fraud reports."""

import csv
import io
from collections import Counter

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record
from ilmis.core.http import client_ip
from ilmis.notifications.services import send_templated

from .models import Client, FraudReport, LearnerImport, User
from .validators import validate_phone


@transaction.atomic
def complete_signup(user, data):
    """R3.1: a person signing up becomes a client (person) and a learner; a company's contact
    becomes the company client and its manager."""
    user.first_name = data["first_name"]
    user.last_name = data["last_name"]
    user.phone = data["phone"]
    user.address = data["address"]
    if data["kind"] == Client.Kind.COMPANY:
        client = Client.objects.create(
            kind=Client.Kind.COMPANY,
            name=data["company_name"],
            siret=data["siret"],
            address=data["address"],
            email=user.email,
            phone=data["phone"],
        )
        user.role = User.Role.MANAGER
    else:
        client = Client.objects.create(
            kind=Client.Kind.PERSON,
            name=f"{data['first_name']} {data['last_name']}",
            address=data["address"],
            email=user.email,
            phone=data["phone"],
        )
        user.role = User.Role.LEARNER
    user.client = client
    user.save()
    record("account.signup", user, actor=user, to_state=user.role)


def password_setup_url(user):
    """A single-use link for `user` to choose their own password (allauth's reset link)."""
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return settings.SITE_URL + path.replace("UID-KEY", key)


def invite(user, *, by=None):
    """Email `user` a link to set their own password (R3.3, R4.2). Never a password in clear."""
    email = send_templated(
        [user.email],
        "accounts/email/invitation",
        {"user": user, "url": password_setup_url(user), "by": by},
        language=user.language,
    )
    record("account.invited", user, actor=by)
    return email


def _check_manager(manager):
    if not (manager.is_manager and manager.client_id):
        raise PermissionDenied


def learners_of(manager):
    """R3.3: a manager sees and manages only their own company's learners."""
    _check_manager(manager)
    return User.objects.filter(client_id=manager.client_id, role=User.Role.LEARNER)


@transaction.atomic
def create_learner(manager, *, first_name, last_name, email, phone=""):
    _check_manager(manager)
    user = User.objects.create_user(
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        role=User.Role.LEARNER,
        client_id=manager.client_id,
        language=manager.language,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    record("account.learner_created", user, actor=manager, client=manager.client_id)
    invite(user, by=manager)
    return user


# -- CSV import -------------------------------------------------------------------------------

COLUMNS = {
    "first_name": ("prenom", "prénom", "first_name", "firstname"),
    "last_name": ("nom", "last_name", "lastname"),
    "email": ("email", "courriel", "e-mail", "mail"),
    "phone": ("telephone", "téléphone", "phone", "tel"),
}
MAX_ROWS = 20000


def _read_rows(text):
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    mapping = {}
    for field, names in COLUMNS.items():
        for index, name in enumerate(header):
            if name in names:
                mapping[field] = index
    missing = [f for f in ("first_name", "last_name", "email") if f not in mapping]
    return reader, mapping, missing


def validate_learner_rows(text, *, on_progress=None):
    """Check every row; return (rows, errors) where errors list each bad line in French."""
    reader, mapping, missing = _read_rows(text)
    if missing:
        return [], [
            {
                "line": 1,
                "messages": [
                    _("Colonnes manquantes : %(cols)s (attendu : prenom;nom;email;telephone).")
                    % {"cols": ", ".join(COLUMNS[f][0] for f in missing)}
                ],
            }
        ]
    rows, errors = [], []
    seen = Counter()
    for line_number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(
                {
                    "line": line_number,
                    "messages": [_("Le fichier dépasse %(max)s lignes.") % {"max": MAX_ROWS}],
                }
            )
            break
        row = {f: (values[i].strip() if i < len(values) else "") for f, i in mapping.items()}
        row["email"] = row["email"].lower()
        messages = []
        for field, label in (("first_name", _("prénom")), ("last_name", _("nom"))):
            if not row[field]:
                messages.append(_("%(field)s manquant.") % {"field": label.capitalize()})
            elif len(row[field]) > 150:
                messages.append(_("%(field)s trop long.") % {"field": label.capitalize()})
        try:
            validate_email(row["email"])
        except ValidationError:
            messages.append(
                _("Adresse électronique invalide : « %(email)s ».") % {"email": row["email"][:100]}
            )
        if row.get("phone"):
            try:
                validate_phone(row["phone"])
            except ValidationError:
                messages.append(
                    _("Téléphone invalide : « %(phone)s ».") % {"phone": row["phone"][:30]}
                )
        seen[row["email"]] += 1
        if seen[row["email"]] == 2:
            messages.append(_("Adresse en double dans le fichier."))
        if messages:
            errors.append({"line": line_number, "messages": messages})
        else:
            rows.append((line_number, row))
        if on_progress and line_number % 500 == 0:
            on_progress(line_number)
    # One query for every address already taken, not one per row.
    emails = [row["email"] for _line, row in rows]
    taken = set()
    for start in range(0, len(emails), 900):
        taken |= set(
            User.objects.filter(email__in=emails[start : start + 900]).values_list(
                "email", flat=True
            )
        )
    for line, row in rows:
        if row["email"] in taken:
            errors.append(
                {
                    "line": line,
                    "messages": [
                        _("Un compte existe déjà avec l'adresse %(email)s.")
                        % {"email": row["email"]}
                    ],
                }
            )
    errors.sort(key=lambda e: e["line"])
    return [row for _line, row in rows], errors


def start_learner_import(manager, *, filename, text):
    _check_manager(manager)
    job = LearnerImport.objects.create(
        client_id=manager.client_id,
        created_by=manager,
        filename=filename,
        content=text,
        total_rows=max(text.count("\n") - 1, 1),
    )
    from .tasks import run_learner_import

    transaction.on_commit(lambda: run_learner_import(job.pk))
    return job


def run_learner_import(job_id):
    """Validate every row, then create every account in one transaction, or none (R3.3)."""
    job = LearnerImport.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (LearnerImport.Status.PENDING, LearnerImport.Status.RUNNING):
        return job
    job.status = LearnerImport.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(line):
        LearnerImport.objects.filter(pk=job.pk).update(
            processed_rows=min(line // 2, job.total_rows)
        )

    rows, errors = validate_learner_rows(job.content, on_progress=progress)
    if errors:
        job.status, job.errors, job.processed_rows = LearnerImport.Status.INVALID, errors, 0
        job.content = ""
        job.save(update_fields=["status", "errors", "processed_rows", "content"])
        return job
    manager = job.created_by
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=row["email"],
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    phone=row.get("phone", ""),
                    role=User.Role.LEARNER,
                    client_id=job.client_id,
                    language=manager.language,
                    password="!",
                )  # unusable until they choose one
                for row in rows
            ],
            batch_size=500,
        )
        if not users or users[0].pk is None:  # backends that do not return ids
            users = list(User.objects.filter(email__in=[row["email"] for row in rows]))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=False) for u in users],
            batch_size=500,
        )
        for index, user in enumerate(users, start=1):
            invite(user, by=manager)
            if index % 200 == 0:
                LearnerImport.objects.filter(pk=job.pk).update(
                    processed_rows=job.total_rows // 2 + index * job.total_rows // (2 * len(users))
                )
        job.status, job.created_count = LearnerImport.Status.DONE, len(users)
        job.processed_rows, job.content = job.total_rows, ""
        job.save(update_fields=["status", "created_count", "processed_rows", "content"])
        record("account.learners_imported", job.client, actor=manager, count=len(users))
    return job


# -- Sessions (R3.4, R5.2) ----------------------------------------------------------------------


def end_sessions(user, *, keep_session_key=None):
    """End every session of `user` (but the one kept); returns how many were ended."""
    ended = 0
    for user_session in UserSession.objects.filter(user=user):
        if user_session.session_key != keep_session_key:
            user_session.end()
            ended += 1
    return ended


def enforce_session_limit(request, user):
    """R3.4: a new login ends the oldest sessions beyond the allowed number (1 by default)."""
    limit = settings.ILMIS_MAX_SESSIONS_PER_USER
    if limit <= 0:
        return 0
    if not request.session.session_key:
        request.session.save()
    others = (
        UserSession.objects.filter(user=user)
        .exclude(session_key=request.session.session_key)
        .order_by("-last_seen_at")
    )
    ended = 0
    for user_session in list(others)[max(limit - 1, 0) :]:
        user_session.end()
        ended += 1
    if ended:
        record("session.ended_by_new_login", user, actor=user, request=request, count=ended)
    return ended


def shared_login_suspects(window_minutes=60):
    """R3.4: logins seen from several IPs within the last hour look shared."""
    since = timezone.now() - timezone.timedelta(minutes=window_minutes)
    return (
        UserSession.objects.filter(last_seen_at__gte=since)
        .values("user", "user__email", "user__first_name", "user__last_name")
        .annotate(ips=Count("ip", distinct=True), last_seen=Max("last_seen_at"))
        .filter(ips__gte=settings.ILMIS_SHARED_LOGIN_IPS)
        .order_by("-ips", "-last_seen")
    )


@transaction.atomic
def report_fraud(user, *, channel, request=None, description=""):
    """R5.2: end every session at once, require a new password, alert staff, open an incident."""
    ended = end_sessions(user)
    user.set_unusable_password()
    user.must_reset_password = True
    user.save(update_fields=["password", "must_reset_password"])
    report = FraudReport.objects.create(
        user=user,
        channel=channel,
        description=description[:2000],
        ip=client_ip(request) if request else None,
        sessions_ended=ended,
    )
    record(
        "account.fraud_reported",
        user,
        actor=user if channel != "staff" else None,
        request=request,
        sessions_ended=ended,
        channel=channel,
    )
    send_templated(
        [user.email],
        "accounts/email/fraud_reported",
        {"user": user, "url": password_setup_url(user)},
        language=user.language,
    )
    send_templated(
        settings.STAFF_ALERT_EMAILS, "accounts/email/fraud_alert", {"report": report, "user": user}
    )
    return report


def request_fraud_report_by_email(email, *, request, description=""):
    """From the login page: the same answer whatever the email; the owner confirms by link."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return None
    from django.core import signing

    token = signing.dumps({"u": user.pk, "d": description[:2000]}, salt="ilmis.fraud")
    send_templated(
        [user.email],
        "accounts/email/fraud_confirm",
        {
            "user": user,
            "url": settings.SITE_URL + reverse("accounts:fraud_confirm", args=[token]),
        },
        language=user.language,
    )
    return user


def confirm_fraud_report(token, *, request):
    from django.core import signing

    try:
        data = signing.loads(token, salt="ilmis.fraud", max_age=24 * 3600)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data["u"]).first()
    if user is None:
        return None
    return report_fraud(
        user, channel=FraudReport.Channel.LOGIN_PAGE, request=request, description=data["d"]
    )


def mark_email_verified(user):
    """Using an emailed single-use link proves the address is the person's."""
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
