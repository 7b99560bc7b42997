"""Two-step enrolment (Art. 2 and 4): pre-registration, agreement, signature, enrolment.

State lives in stored timestamps; what depends on the clock ("lapsed", "credentials overdue",
"access ended") is derived at read time, so nothing goes wrong when no background job runs.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SIGNING_DAYS = 15  # R2.3
WITHDRAWAL_DAYS = 10  # R2.5, L6353-5
CREDENTIALS_HOURS = 96  # R4.2
AT_RISK_HOURS = 72


def signing_days():
    return getattr(settings, "ILMIS_SIGNING_DAYS", SIGNING_DAYS)


class Channel(models.TextChoices):
    SITE = "site", _("site web")
    EMAIL = "email", _("courriel")
    PHONE = "phone", _("téléphone")


class Funder(models.TextChoices):
    SELF = "self", _("autofinancement (particulier)")
    COMPANY = "company", _("entreprise")
    OPCO = "opco", _("OPCO")
    CPF = "cpf", _("CPF (Mon compte formation)")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")


class PreRegistrationQuerySet(models.QuerySet):
    def lapsed(self, now=None):
        now = now or timezone.now()
        return self.filter(status=PreRegistration.Status.SENT, sign_deadline__lt=now)

    def awaiting_signature(self, now=None):
        now = now or timezone.now()
        return self.filter(status=PreRegistration.Status.SENT, sign_deadline__gte=now)

    def with_state(self, now=None):
        """Annotate `state`: the stored status, or "lapsed" when the deadline has passed."""
        now = now or timezone.now()
        return self.annotate(
            state=models.Case(
                models.When(
                    status=PreRegistration.Status.SENT,
                    sign_deadline__lt=now,
                    then=models.Value(PreRegistration.LAPSED),
                ),
                default=models.F("status"),
                output_field=models.CharField(),
            )
        )

    def visible_to(self, user):
        """Staff see everything; a manager their company's; a person their own (R2, item 9)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_back_office:
            return self
        # The signatory, and the learner of an individual contract. A company's convention
        # (prices, other employees) is for the company's managers, not each employee.
        query = models.Q(email__iexact=user.email) | models.Q(kind="person", trainees__user=user)
        if user.is_manager and user.client_id:
            query |= models.Q(client_id=user.client_id)
        return self.filter(query).distinct()


class PreRegistration(models.Model):
    """A request to enrol in a session (R2.1), then the file that follows it to confirmation."""

    LAPSED = "lapsed"

    class Kind(models.TextChoices):
        PERSON = "person", _("particulier")
        COMPANY = "company", _("entreprise")

    class Status(models.TextChoices):
        NEW = "new", _("nouvelle demande")
        DECLINED = "declined", _("refusée")
        SENT = "sent", _("convention envoyée, en attente de signature")
        SCAN_SUBMITTED = "scan_submitted", _("copie signée reçue, à vérifier")
        CONFIRMED = "confirmed", _("inscription confirmée")
        WITHDRAWN = "withdrawn", _("rétractation")
        CANCELLED = "cancelled", _("annulée")

    STATE_LABELS = dict(Status.choices) | {LAPSED: _("caduque (non signée sous 15 jours)")}

    session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="preregistrations",
    )
    kind = models.CharField(_("vous êtes"), max_length=10, choices=Kind.choices)
    channel = models.CharField(
        _("canal"), max_length=10, choices=Channel.choices, default=Channel.SITE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The contact, who signs the agreement (the person, or the company's representative).
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse électronique"))
    phone = models.CharField(_("téléphone"), max_length=20)
    address = models.TextField(_("adresse postale"))
    job_title = models.CharField(_("fonction du signataire"), max_length=150, blank=True)
    company_name = models.CharField(_("raison sociale"), max_length=200, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="preregistrations",
    )
    # Funding (R7.1)
    funder = models.CharField(_("financement"), max_length=20, choices=Funder.choices)
    funder_name = models.CharField(_("organisme financeur"), max_length=200, blank=True)
    file_number = models.CharField(
        _("numéro de dossier de financement"), max_length=100, blank=True
    )
    funding_amount = models.DecimalField(
        _("montant pris en charge (€)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    message = models.TextField(_("message"), blank=True)

    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    sent_at = models.DateTimeField(_("convention envoyée le"), null=True, blank=True)
    sign_deadline = models.DateTimeField(_("à signer avant le"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("rétractation le"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("motif de la rétractation"), blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    objects = PreRegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("préinscription")
        verbose_name_plural = _("préinscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="prereg_recent_first"),
            models.Index(fields=["status", "sign_deadline"]),
            models.Index(fields=["session", "status"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="company") | ~models.Q(company_name=""),
                name="prereg_company_has_name",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["sent", "scan_submitted"])
                | (models.Q(sent_at__isnull=False) & models.Q(sign_deadline__isnull=False)),
                name="prereg_sent_has_deadline",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(confirmed_at__isnull=False),
                name="prereg_confirmed_has_time",
            ),
        ]

    def __str__(self):
        who = self.company_name if self.kind == self.Kind.COMPANY else self.full_name
        return f"{self.reference} — {who}"

    @property
    def reference(self):
        return f"PI-{self.pk or 0:06d}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_company(self):
        return self.kind == self.Kind.COMPANY

    def state(self, now=None):
        now = now or timezone.now()
        if self.status == self.Status.SENT and self.sign_deadline and self.sign_deadline < now:
            return self.LAPSED
        return self.status

    def state_label(self, now=None):
        return self.STATE_LABELS[self.state(now)]

    def withdrawal_deadline(self):
        if self.kind == self.Kind.PERSON and self.signed_at:
            return self.signed_at + timedelta(days=WITHDRAWAL_DAYS)
        return None

    def can_withdraw(self, now=None):
        deadline = self.withdrawal_deadline()
        now = now or timezone.now()
        return bool(deadline and self.status == self.Status.CONFIRMED and now <= deadline)


class Trainee(models.Model):
    """A named learner of a pre-registration (the person themself, or a company's employee)."""

    preregistration = models.ForeignKey(
        PreRegistration, on_delete=models.CASCADE, related_name="trainees"
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse électronique"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainee_records",
    )

    class Meta:
        verbose_name = _("stagiaire")
        verbose_name_plural = _("stagiaires")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["preregistration", "email"], name="unique_trainee_email"
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} <{self.email}>"


class AgreementTemplate(models.Model):
    """The text of an agreement, as a Django template staff can edit; every edit is a version."""

    class Kind(models.TextChoices):
        CONVENTION = "convention", _("convention de formation (entreprise, D6353-1)")
        CONTRACT = "contract", _("contrat de formation professionnelle (particulier, L6353-4)")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("modèle (HTML, langage de gabarit Django)"))
    note = models.CharField(_("note de version"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("modèle de convention")
        verbose_name_plural = _("modèles de convention")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="unique_template_version")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


def agreement_path(instance, filename):
    return f"enrolment/agreements/{instance.preregistration_id}/{filename}"


class Agreement(models.Model):
    """One issued version of the agreement document of a pre-registration (R2.2)."""

    preregistration = models.ForeignKey(
        PreRegistration, on_delete=models.PROTECT, related_name="agreements"
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("type"), max_length=12, choices=AgreementTemplate.Kind.choices)
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(_("PDF"), upload_to=agreement_path, max_length=300)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("émise le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)
    reminded_day7_at = models.DateTimeField(null=True, blank=True)
    reminded_day13_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["preregistration", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["preregistration", "version"], name="unique_agreement_version"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.preregistration.reference} v{self.version}"

    @property
    def filename(self):
        return f"{self.kind}-{self.preregistration.reference}-v{self.version}.pdf"


class SigningLink(models.Model):
    """The emailed link to sign one agreement version; the token is stored only as a hash."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    otp_hash = models.CharField(max_length=128, blank=True)
    otp_sent_at = models.DateTimeField(null=True, blank=True)
    otp_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"link {self.pk} for {self.agreement_id}"


def scan_path(instance, filename):
    return f"enrolment/scans/{instance.agreement.preregistration_id}/{filename}"


class ScanUpload(models.Model):
    """A scanned signed copy sent by the signatory; staff accept or reject it (R2.3)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à vérifier")
        ACCEPTED = "accepted", _("acceptée")
        REJECTED = "rejected", _("refusée")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="scans")
    file = models.FileField(upload_to=scan_path, max_length=300)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"scan {self.pk} ({self.get_status_display()})"


def signed_path(instance, filename):
    return f"enrolment/signed/{instance.preregistration_id}/{filename}"


class Signature(models.Model):
    """The one signature that confirmed a pre-registration: online or scanned (R2.3, R2.4)."""

    class Method(models.TextChoices):
        ONLINE = "online", _("signature électronique en ligne")
        SCAN = "scan", _("copie signée numérisée")

    preregistration = models.OneToOneField(
        PreRegistration, on_delete=models.PROTECT, related_name="signature"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    method = models.CharField(max_length=10, choices=Method.choices)
    signer_name = models.CharField(max_length=300)
    signer_email = models.EmailField()
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    document_sha256 = models.CharField(max_length=64)
    terms_version = models.ForeignKey(
        "legal.TermsVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_pdf = models.FileField(upload_to=signed_path, max_length=300, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    scan = models.OneToOneField(
        ScanUpload, null=True, blank=True, on_delete=models.PROTECT, related_name="signature"
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self):
        return f"{self.get_method_display()} — {self.signer_name}"


class EnrolmentQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=Enrolment.Status.CONFIRMED, access_start__lte=now, access_end__gt=now
        )

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_back_office:
            return self
        if user.is_manager and user.client_id:
            return self.filter(models.Q(learner=user) | models.Q(learner__client_id=user.client_id))
        return self.filter(learner=user)


class Enrolment(models.Model):
    """One learner in one session, with their access window (R5.4) and credentials (R4.2)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmée")
        WITHDRAWN = "withdrawn", _("rétractation")
        CANCELLED = "cancelled", _("annulée")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("apprenant"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    preregistration = models.ForeignKey(
        PreRegistration, null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    access_start = models.DateTimeField(_("début d'accès"))
    access_end = models.DateTimeField(_("fin d'accès"))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(_("fin (rétractation, annulation) le"), null=True, blank=True)
    # Credentials (R4.2)
    account_created = models.BooleanField(_("compte créé à la confirmation"), default=False)
    invitation = models.ForeignKey(
        "notifications.OutgoingEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    had_credentials = models.BooleanField(
        _("avait déjà ses identifiants"),
        default=False,
        help_text=_("Compte existant avec mot de passe : rien à délivrer."),
    )
    invited_at = models.DateTimeField(_("lien d'activation émis le"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access_end__gt=models.F("access_start")),
                name="enrolment_access_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["learner", "session"],
                condition=models.Q(status="confirmed"),
                name="one_confirmed_enrolment_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["-confirmed_at", "-id"], name="enrolment_recent_first"),
            models.Index(fields=["learner", "status", "access_end"]),
            models.Index(fields=["session", "status"]),
            models.Index(fields=["status", "confirmed_at"]),
        ]

    def __str__(self):
        return f"{self.learner} — {self.session}"

    def credentials_due(self):
        return self.confirmed_at + timedelta(hours=CREDENTIALS_HOURS)

    def window_state(self, now=None):
        now = now or timezone.now()
        if now < self.access_start:
            return "not_started"
        if now >= self.access_end:
            return "ended"
        return "open"


class OutageExtension(models.Model):
    """Marks a maintenance outage as already applied to deadlines (the receiver is idempotent)."""

    window_key = models.CharField(max_length=100, unique=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    applied_at = models.DateTimeField(default=timezone.now)
    enrolments_extended = models.PositiveIntegerField(default=0)
    preregistrations_extended = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.window_key
