"""A municipality's own identity provider (OpenID Connect): Entra ID, ID-porten or Feide."""

from urllib.parse import urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _

from .org import Municipality

KIND_CHOICES = [
    ("entra", "Microsoft Entra ID"),
    ("idporten", "ID-porten"),
    ("feide", "Feide"),
    ("other", _("Other OpenID Connect provider")),
]


class IdentityProvider(models.Model):
    """How people of one municipality sign in with the identity they already have. The client
    secret is stored encrypted (learners.services.sso.idp_secret_set) or named as an
    environment variable; it is never shown again after it is saved."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="identity_provider"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES, default="entra")
    issuer = models.URLField(
        _("issuer"),
        help_text=_("The issuer URL; its /.well-known/openid-configuration is read from there."),
    )
    client_id = models.CharField(_("client id"), max_length=255)
    client_secret_encrypted = models.TextField(editable=False, blank=True)
    client_secret_env = models.CharField(
        _("client secret from environment variable"),
        max_length=100,
        blank=True,
        help_text=_(
            "Name of an environment variable that holds the secret (instead of storing it)."
        ),
    )
    authorization_origin = models.CharField(
        _("origin of the authorization endpoint"),
        max_length=255,
        blank=True,
        help_text=_("Read from the discovery document when saved; the login form may go there."),
    )
    email_domains = models.CharField(
        _("allowed e-mail domains"),
        max_length=500,
        help_text=_("Comma-separated, for example bergen.kommune.no, bkk.no"),
    )
    unit_claim = models.CharField(
        _("claim with the unit"), max_length=100, blank=True, default="department"
    )
    role_claim = models.CharField(
        _("claim with the role"), max_length=100, blank=True, default="roles"
    )
    hr_role_value = models.CharField(_("role value for HR"), max_length=100, default="hr")
    manager_role_value = models.CharField(
        _("role value for unit manager"), max_length=100, default="manager"
    )
    mfa_acr_values = models.CharField(
        _("acr values that mean multi-factor"),
        max_length=500,
        blank=True,
        default="idporten-loa-substantial,idporten-loa-high",
        help_text=_("Comma-separated. An amr claim with 'mfa' always counts as multi-factor."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self):
        return f"{self.municipality} ({self.get_kind_display()})"

    @property
    def provider_id(self) -> str:
        """allauth's provider id of this municipality's login."""
        return f"kommune-{self.municipality.number}"

    def form_origins(self) -> set[str]:
        """Origins the sign-in form may be sent on to (the page's form-action policy)."""
        parts = urlsplit(self.issuer)
        origins = {f"{parts.scheme}://{parts.netloc}"}
        if self.authorization_origin:
            origins.add(self.authorization_origin)
        return origins

    def domains(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]

    def allows_email(self, email: str) -> bool:
        return email.rsplit("@", 1)[-1].lower() in self.domains() if "@" in email else False

    def acr_values(self) -> set[str]:
        return {v.strip() for v in self.mfa_acr_values.split(",") if v.strip()}

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret_env or self.client_secret_encrypted)
