"""What the emulator keeps: tenants and their users and keys, the registered app, grants, assets."""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import urlsplit

from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

tenant_name_validator = RegexValidator(
    r"^[a-z][a-z0-9]{1,62}$",
    "A tenant name is lowercase letters and digits, starts with a letter, 2 to 63 characters.",
)
app_name_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{0,19}$",
    "An app name is lowercase letters, digits and '-', starts with a letter, at most 20 characters.",
)
scope_name_validator = RegexValidator(r"^[a-z][a-z0-9_-]*$", "A scope is lowercase letters, digits, '_' or '-'.")


def token_hash(value: str) -> str:
    """Grants are stored by hash, so a database leak does not leak usable codes or tokens."""
    return hashlib.sha256(value.encode()).hexdigest()


class Tenant(models.Model):
    name = models.CharField(max_length=63, unique=True, validators=[tenant_name_validator])
    display_name = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """An RSA key a tenant signs access tokens with; all of a tenant's keys are published."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="keys")
    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    active = models.BooleanField(default=True, help_text="New tokens are signed with the newest active key.")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.tenant} {self.kid}"


class Application(models.Model):
    """A registered app (Developer Cockpit): its client credentials and redirect URIs, who hosts and who has it."""

    name = models.CharField(max_length=20, unique=True, validators=[app_name_validator])
    client_id = models.CharField(max_length=200, unique=True)
    client_secret = models.CharField(max_length=200)
    redirect_uris = models.TextField(blank=True, help_text="One URI per line.")
    post_logout_redirect_uris = models.TextField(blank=True, help_text="One URI per line.")
    owner = models.ForeignKey(
        Tenant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_applications",
        help_text="The host tenant: the developer or operator tenant that registered the app (hostTenant).",
    )
    tenants = models.ManyToManyField(
        Tenant,
        blank=True,
        related_name="applications",
        help_text="The tenants that have the app (it is provisioned to them). The host tenant always has it.",
    )

    def __str__(self) -> str:
        return self.name

    def provisioned_to(self, tenant: Tenant) -> bool:
        return tenant.pk == self.owner_id or self.tenants.filter(pk=tenant.pk).exists()

    def allows_redirect(self, uri: str) -> bool:
        return _uri_registered(uri, self.redirect_uris.split())

    def allows_post_logout_redirect(self, uri: str) -> bool:
        return _uri_registered(uri, self.post_logout_redirect_uris.split())


def _uri_registered(uri: str, registered: list[str]) -> bool:
    """Exact match, except that a loopback URI may use any port (RFC 8252, section 7.3)."""
    if uri in registered:
        return True
    asked = urlsplit(uri)
    if asked.scheme != "http" or not _loopback(asked.hostname):
        return False
    for candidate in registered:
        known = urlsplit(candidate)
        if (known.scheme, known.hostname, known.path, known.query) == (
            asked.scheme,
            asked.hostname,
            asked.path,
            asked.query,
        ) and not asked.fragment:
            return True
    return False


def _loopback(host: str | None) -> bool:
    # Names under .localhost are loopback too (RFC 6761, section 6.3): the emulated gateway's
    # tenant host names, {tenant}.localhost.
    return host in ("127.0.0.1", "localhost", "::1") or bool(host and host.endswith(".localhost"))


class AppScope(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scopes")
    name = models.CharField(max_length=50, validators=[scope_name_validator])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "name"], name="unique_app_scope")]
        ordering = ["application__name", "name"]

    def __str__(self) -> str:
        return f"{self.application.name}.{self.name}"


class AppCredential(models.Model):
    """An app version's credentials for the Token Management Service (Developer Cockpit's App Credentials).

    Access is granted per app version: the credentials name one version, and a request for another is refused.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="credentials")
    version = models.CharField(max_length=50, help_text="The app version these credentials are for (appVersion).")
    client_id = models.CharField(max_length=200, unique=True, help_text="MDSP_KEY_STORE_CLIENT_ID")
    client_secret = models.CharField(max_length=200, help_text="MDSP_KEY_STORE_CLIENT_SECRET")
    scopes = models.ManyToManyField(AppScope, blank=True, help_text="The app roles the technical tokens carry.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "version"], name="unique_app_version_credential")]
        ordering = ["application__name", "version"]

    def __str__(self) -> str:
        return f"{self.application.name} {self.version}"

    def scope_claim(self) -> list[str]:
        """The technical token's `scope` claim: the app roles granted to these credentials."""
        return sorted(str(scope) for scope in self.scopes.select_related("application"))


class CoreRole(models.TextChoices):
    STANDARD_USER = "mdsp:core:StandardUser", "Standard user"
    TENANT_ADMIN = "mdsp:core:TenantAdmin", "Tenant admin"
    TENANT_USER = "mdsp:core:TenantUser", "Tenant user"
    # The core role of a subtenant's people: MindSphere blocks the others (TenantAdmin too) for them.
    SUBTENANT_USER = "mdsp:core:SubTenantUser", "Subtenant user"


class TenantUser(models.Model):
    """A person in one tenant. The same email in two tenants is two people."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="users")
    user_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField()
    password = models.CharField(max_length=200)
    subtenant = models.CharField(
        max_length=63, blank=True, help_text="The subtenant of this person: their tokens carry it as `subtenant`."
    )
    core_role = models.CharField(max_length=50, choices=CoreRole.choices, default=CoreRole.STANDARD_USER)
    app_scopes = models.ManyToManyField(AppScope, blank=True, help_text="The app roles of this user.")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "email"], name="unique_tenant_email")]
        ordering = ["tenant__name", "email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.tenant})"

    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)

    def scope_claim(self) -> list[str]:
        """The token's `scope` claim: the user's app scopes and core role, read fresh each time."""
        return sorted(str(scope) for scope in self.app_scopes.select_related("application")) + [self.core_role]


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    application = models.ForeignKey(Application, on_delete=models.CASCADE)
    user = models.ForeignKey(TenantUser, on_delete=models.CASCADE)
    redirect_uri = models.TextField()
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    sign_in = models.ForeignKey("SignIn", null=True, blank=True, on_delete=models.SET_NULL)


class SignIn(models.Model):
    """One sign-in: the family of refresh tokens that a code exchange starts.

    The refresh lifetime counts from here and no refresh extends it.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    application = models.ForeignKey(Application, on_delete=models.CASCADE)
    user = models.ForeignKey(TenantUser, on_delete=models.CASCADE)
    created = models.DateTimeField(default=timezone.now)
    refresh_expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=100, blank=True)

    def revoke(self, reason: str) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_reason = reason
            self.save(update_fields=["revoked_at", "revoked_reason"])


class RefreshToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    sign_in = models.ForeignKey(SignIn, on_delete=models.CASCADE, related_name="refresh_tokens")
    created = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)


class GrantEvent(models.Model):
    """An append-only log the stats endpoint counts (append-only, so concurrent writers never conflict)."""

    class Kind(models.TextChoices):
        AUTHORIZATION_CODE = "authorization_codes"
        CODE_EXCHANGE = "code_exchanges"
        CODE_EXCHANGE_FAILURE = "code_exchange_failures"
        REFRESH = "refreshes"
        REFRESH_FAILURE = "refresh_failures"
        TECHNICAL_TOKEN = "technical_tokens"
        TECHNICAL_TOKEN_FAILURE = "technical_token_failures"

    tenant = models.CharField(max_length=63)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)


class Fault(models.Model):
    """A failure the token endpoint, the gateway or the Token Management Service plays back (/_emulator/faults)."""

    class Mode(models.TextChoices):
        UNAVAILABLE = "503"
        TOO_MANY_REQUESTS = "429"
        HANG = "hang"
        INVALID_GRANT = "invalid_grant"
        # The emulated gateway's sign-in sessions end (emulator/webgateway): target "gateway" only.
        SESSION_OVER = "session_over"

    class Target(models.TextChoices):
        TOKEN = "token"
        GATEWAY = "gateway"
        TECHNICAL = "technical"

    mode = models.CharField(max_length=20, choices=Mode.choices)
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.TOKEN)
    tenant = models.CharField(max_length=63, blank=True, help_text="Empty: every tenant.")
    remaining_calls = models.PositiveIntegerField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    hang_seconds = models.FloatField(default=0)
    path = models.CharField(
        max_length=200, blank=True, help_text="Gateway only: calls whose path contains this. Empty: all."
    )
    created = models.DateTimeField(default=timezone.now)


class Asset(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="assets")
    asset_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    external_id = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    type_id = models.CharField(max_length=128)
    parent_id = models.CharField(max_length=32, blank=True)
    timezone = models.CharField(max_length=64, default="Europe/Berlin")
    location = models.JSONField(default=dict, blank=True)
    aspects = models.JSONField(
        default=list,
        blank=True,
        help_text='Property sets: [{"name": "Environment", "variables": [{"name": "temperature", "unit": "C"}]}]',
    )
    etag = models.PositiveIntegerField(default=0)
    silent_seconds = models.PositiveIntegerField(
        default=0,
        help_text="Not reporting: its time series have no records in the last this many seconds. 0: up to now.",
    )

    class Meta:
        ordering = ["tenant__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tenant})"

    def dynamic_aspect(self, name: str) -> dict | None:
        """The definition of the time-series aspect `name` (see emulator.aspects), or None."""
        for aspect in self.aspects:
            if aspect.get("name") == name and (aspect.get("category") or "dynamic") == "dynamic":
                return aspect
        return None
