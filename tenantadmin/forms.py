"""The tenant's scope-to-role mapping as a form: one role (or none) per app scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sso.models import ScopeRoleMapping
from sso.roles import TENANT_ADMIN_ROLE

FIELD_PREFIX = "scope-"
NO_ROLE = ""
ADMIN_ROLE = TENANT_ADMIN_ROLE
STALE = gettext_lazy(
    "Someone changed this mapping while you were editing it. Below is the mapping as it is now: check it and save again."
)


def app_scopes(tenant: str) -> list[str]:
    """The scopes this app knows: the app-wide defaults', plus any the tenant's own mapping still has."""
    rows = ScopeRoleMapping.objects.filter(tenant__in=["", tenant])
    return sorted(set(rows.values_list("scope", flat=True)))


def app_roles(tenant: str) -> list[str]:
    """The roles a scope may give: those of the app-wide defaults (and any the tenant uses)."""
    return sorted(set(Group.objects.filter(scope_mappings__tenant__in=["", tenant]).values_list("name", flat=True)))


class MappingForm(forms.Form):
    """Posts `scope-<name>` = role name (or empty), plus the tenant and version it was shown for."""

    tenant = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, tenant: str, version: int, current: dict[str, str], **kwargs) -> None:
        kwargs["initial"] = {"tenant": tenant, "version": version, **_fields(current)}
        super().__init__(*args, **kwargs)
        self.expected_tenant, self.expected_version = tenant, version
        choices = [(NO_ROLE, _("No role")), *((role, role) for role in app_roles(tenant))]
        for scope in app_scopes(tenant):
            self.fields[FIELD_PREFIX + scope] = forms.ChoiceField(label=scope, choices=choices, required=False)

    def scope_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith(FIELD_PREFIX)]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if "tenant" not in cleaned or "version" not in cleaned:  # hidden fields: say it plainly
            raise forms.ValidationError(
                _("This form could not be read. Nothing was changed; reload the page and try again."), code="unreadable"
            )
        if cleaned.get("tenant") != self.expected_tenant:
            raise forms.ValidationError(_("This form is for another tenant. Nothing was changed."), code="tenant")
        if cleaned["version"] != self.expected_version:
            raise forms.ValidationError(STALE, code="stale")
        sent = [key for key in self.data if key.startswith(FIELD_PREFIX)]
        unknown = sorted(key.removeprefix(FIELD_PREFIX) for key in sent if key not in self.fields)
        if unknown:
            raise forms.ValidationError(
                _("This app has no scope {scopes}. Nothing was changed.").format(scopes=", ".join(unknown)),
                code="unknown",
            )
        if not sent:
            raise forms.ValidationError(
                _("The form arrived empty. Nothing was changed; please try again."), code="empty"
            )
        mapping = self.mapping()
        if not mapping:
            raise forms.ValidationError(_("Give at least one scope a role. Nothing was changed."), code="no_roles")
        if ADMIN_ROLE in app_roles(self.expected_tenant) and ADMIN_ROLE not in mapping.values():
            raise forms.ValidationError(
                _("At least one scope must give the Admin role, or nobody in your tenant could manage roles any more."),
                code="no_admin",
            )
        return cleaned

    def mapping(self) -> dict[str, str]:
        """scope -> role, for the scopes given a role."""
        data = getattr(self, "cleaned_data", {})
        return {
            name.removeprefix(FIELD_PREFIX): data[name]
            for name in self.fields
            if name.startswith(FIELD_PREFIX) and data.get(name)
        }


def _fields(mapping: dict[str, str]) -> dict[str, str]:
    return {FIELD_PREFIX + scope: role for scope, role in mapping.items()}
