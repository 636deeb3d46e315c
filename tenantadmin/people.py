"""A tenant's people and its mapping at a glance: what /manage/roles/ and the Admin home's blocks show.

The tenant is the signed-in admin's own (from their MindSphere identity, never from the request);
the callers decide that, these functions read only that tenant's rows.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet

from sso import roles
from sso.models import MindSphereIdentity


def people_of(tenant: str) -> QuerySet[MindSphereIdentity]:
    """Everyone of `tenant` who signed in (its subtenants' people too), by e-mail, each with `user.app_roles`.

    Three queries however many people: the identities with their users, the app's roles, their groups.
    """
    app_groups = Group.objects.filter(scope_mappings__isnull=False).distinct()
    return (
        MindSphereIdentity.objects.filter(tenant=tenant)
        .select_related("user")
        .prefetch_related(Prefetch("user__groups", queryset=app_groups.order_by("name"), to_attr="app_roles"))
        .order_by("email")
    )


def mapping_summary(tenant: str) -> dict:
    """The mapping that counts for `tenant` (its own, or the app's defaults) and how many of its people signed in."""
    mappings, own = roles.effective_mapping(tenant)
    return {
        "tenant": tenant,
        "mappings": mappings,
        "own_mapping": own,
        "people_count": MindSphereIdentity.objects.filter(tenant=tenant).count(),
    }
