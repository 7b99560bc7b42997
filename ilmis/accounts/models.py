from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import normalise_siret, validate_phone, validate_siret


class Client(models.Model):
    """Who buys the training (R3.1): a natural person or a company."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Particulier")
        COMPANY = "company", _("Entreprise")

    kind = models.CharField(_("type de client"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nom ou raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.TextField(_("adresse postale"))
    email = models.EmailField(_("courriel de contact"))
    phone = models.CharField(_("téléphone"), max_length=20, validators=[validate_phone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="company") | ~models.Q(siret=""),
                name="company_client_has_siret",
            ),
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="unique_client_siret"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.siret = normalise_siret(self.siret)

    @property
    def is_company(self):
        return self.kind == self.Kind.COMPANY


class UserManager(DjangoUserManager):
    """Email is the login: no username."""

    def _create_user(self, email, password, **extra_fields):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields |= {"is_staff": True, "is_superuser": True, "role": User.Role.ADMIN}
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        LEARNER = "learner", _("Apprenant")
        MANAGER = "manager", _("Responsable client")
        TRAINER = "trainer", _("Formateur")
        STAFF = "staff", _("Équipe ILMIS")
        ADMIN = "admin", _("Administrateur")

    username = None
    email = models.EmailField(_("adresse électronique"), unique=True)
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.LEARNER)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, validators=[validate_phone])
    address = models.TextField(_("adresse postale"), blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    must_reset_password = models.BooleanField(_("doit changer de mot de passe"), default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="manager") | models.Q(client__isnull=False),
                name="manager_belongs_to_client",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        # Staff and admins reach the back office; nobody else does.
        self.is_staff = self.role in (self.Role.STAFF, self.Role.ADMIN) or self.is_superuser
        super().save(*args, **kwargs)

    @property
    def is_learner(self):
        return self.role == self.Role.LEARNER

    @property
    def is_manager(self):
        return self.role == self.Role.MANAGER

    @property
    def is_trainer(self):
        return self.role == self.Role.TRAINER

    @property
    def is_back_office(self):
        return self.role in (self.Role.STAFF, self.Role.ADMIN)


class FraudReport(models.Model):
    """R5.2: a person says someone else used their credentials. Also the staff incident."""

    class Channel(models.TextChoices):
        ACCOUNT = "account", _("depuis le compte")
        LOGIN_PAGE = "login_page", _("depuis la page de connexion")
        STAFF = "staff", _("par l'équipe")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="fraud_reports")
    channel = models.CharField(_("canal"), max_length=12, choices=Channel.choices)
    description = models.TextField(_("description"), blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    reported_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    sessions_ended = models.PositiveIntegerField(_("sessions fermées"), default=0)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_notes = models.TextField(_("notes de l'équipe"), blank=True)

    class Meta:
        verbose_name = _("signalement d'usage frauduleux")
        verbose_name_plural = _("signalements d'usage frauduleux")
        ordering = ["-reported_at"]

    def __str__(self):
        return f"{self.user} — {self.reported_at:%Y-%m-%d %H:%M}"


class LearnerImport(models.Model):
    """A manager's CSV import of learners (R3.3): validated whole, then written whole."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        INVALID = "invalid", _("refusé : erreurs")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line": 3, "messages": [...]}]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress(self):
        if not self.total_rows:
            return 100 if self.status in (self.Status.DONE, self.Status.INVALID) else 0
        return int(100 * self.processed_rows / self.total_rows)
