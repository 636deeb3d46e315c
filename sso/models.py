"""The sso app's data: MindSphere identities, per-session token records, scope-to-role mapping."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from . import crypto
from .texts import describe_mapping_change


class MindSphereIdentity(models.Model):
    """Who a Django user is in MindSphere: one user per (tenant, MindSphere user id)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mindsphere")
    tenant = models.CharField(max_length=63, db_index=True)
    subtenant = models.CharField(max_length=63, blank=True)
    mindsphere_user_id = models.CharField(max_length=100)
    email = models.EmailField()
    scopes = models.JSONField(default=list, help_text="The scopes of the latest token.")
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "mindsphere_user_id"], name="unique_mindsphere_identity")
        ]
        verbose_name = "MindSphere identity"
        verbose_name_plural = "MindSphere identities"

    def __str__(self) -> str:
        return f"{self.email} ({self.tenant})"


class TokenRecord(models.Model):
    """The MindSphere tokens of one browser session, encrypted; never sent to the browser."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="token_records")
    session_key = models.CharField(max_length=40, db_index=True)
    tenant = models.CharField(max_length=63)
    access_token_encrypted = models.TextField()
    refresh_token_encrypted = models.TextField()
    access_expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField(db_index=True)
    scopes = models.JSONField(default=list)
    created = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"tokens of {self.user} ({self.tenant}), session until {self.refresh_expires_at:%Y-%m-%d %H:%M}"

    # Reading raises crypto.UndecryptableTokenError when no current key can read the token;
    # sso.tokens turns that into a sign-out.
    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = crypto.encrypt(value)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = crypto.encrypt(value)


scope_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*$", "A scope name is lowercase letters, digits, '_' or '-', e.g. 'admin'."
)


class ScopeRoleMapping(models.Model):
    """A MindSphere app scope (`admin` for `{app}.admin`) that grants a Django group (a role).

    Rows without a tenant are the app-wide defaults, set by the app's operators. A tenant whose
    admins saved a mapping of its own has rows with its name, and only those count for its people.
    """

    tenant = models.CharField(
        max_length=63, blank=True, default="", help_text="Empty: the app-wide default. Else the tenant this row is for."
    )
    scope = models.CharField(
        max_length=50,
        validators=[scope_validator],
        help_text="The scope name without the app prefix: 'admin' matches 'mobilestarter.admin'.",
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="scope_mappings")

    class Meta:
        ordering = ["tenant", "scope"]
        constraints = [models.UniqueConstraint(fields=["tenant", "scope"], name="unique_scope_per_tenant")]
        verbose_name = "scope-to-role mapping"

    def __str__(self) -> str:
        return f"{self.tenant or 'default'}: {self.scope} → {self.group.name}"

    def save(self, *args, **kwargs) -> None:
        self.scope = self.scope.lower()
        super().save(*args, **kwargs)


class MappingChange(models.Model):
    """One change of a scope-to-role mapping: who, when, what (the history on /manage/roles/)."""

    tenant = models.CharField(max_length=63, blank=True, db_index=True, help_text="Empty: the app-wide defaults.")
    changed_by = models.CharField(max_length=254, help_text="The email (or user name) of who changed it.")
    changed_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(
        default=list,
        help_text="Codes of sso.texts.MAPPING_CHANGES with their values, e.g. "
        '[{"code": "role", "values": {"scope": "user", "before": "User", "after": "Admin"}}].',
    )
    number = models.PositiveIntegerField(
        default=0, editable=False, help_text="1, 2, 3… per tenant: the version of the mapping this change made."
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        get_latest_by = ["changed_at", "pk"]
        # Two saves made from the same version of a mapping cannot both be recorded: the later one
        # fails, on every database, however close together they run.
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="one_change_per_mapping_version")]

    @classmethod
    def latest_number(cls, tenant: str) -> int:
        """The version of the tenant's mapping: how many changes it has had (0: none)."""
        return cls.objects.filter(tenant=tenant).aggregate(latest=models.Max("number"))["latest"] or 0

    @classmethod
    def record(cls, tenant: str, changed_by: str, changes: list[dict], *, after: int | None = None) -> MappingChange:
        """Record `changes` (entries made by sso.texts.mapping_change) as version `after + 1` (default: the next).

        IntegrityError when another change has taken that version first.
        """
        number = (cls.latest_number(tenant) if after is None else after) + 1
        return cls.objects.create(tenant=tenant, changed_by=changed_by, changes=changes, number=number)

    @property
    def described(self) -> list[str]:
        """The changes in the reader's language (the active one)."""
        return [describe_mapping_change(entry) for entry in self.changes]

    def __str__(self) -> str:
        return f"{self.tenant or 'defaults'} by {self.changed_by} at {self.changed_at:%Y-%m-%d %H:%M}"
