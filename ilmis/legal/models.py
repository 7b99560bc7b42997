import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TermsVersion(models.Model):
    """A published version of the terms of use (R9.1). Never edited once published."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte (Markdown)"))
    sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(_("publiée le"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("version des conditions")
        verbose_name_plural = _("versions des conditions")
        ordering = ["-number"]

    def __str__(self):
        return f"{self.title} — v{self.number}"

    def save(self, *args, **kwargs):
        self.sha256 = hashlib.sha256(self.body.encode()).hexdigest()
        super().save(*args, **kwargs)


class TermsAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances"
    )
    version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("acceptée le"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("acceptation des conditions")
        verbose_name_plural = _("acceptations des conditions")
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self):
        return f"{self.user} — v{self.version.number}"
