"""People of two tenants as sign-in leaves them (identity, roles), without MindSphere: for page tests."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from sso.models import MindSphereIdentity
from sso.roles import sync_roles
from sso.session import SESSION_IDENTITY_KEY, saved_identity

TENANTS = ("acme", "globex")
SCOPES = {
    "admin": ["mobilestarter.admin", "mobilestarter.user"],
    "user": ["mobilestarter.user"],
    "norole": [],
}


def make_person(tenant: str, kind: str, email: str | None = None) -> User:
    """A person of `tenant` with the scopes of `kind` (admin, user, norole), as sign-in would store them."""
    email = email or f"{kind}@{tenant}.example"
    user = User.objects.create_user(username=f"mdsp-{tenant}-{email}", email=email)
    MindSphereIdentity.objects.create(user=user, tenant=tenant, mindsphere_user_id=email, email=email, scopes=SCOPES[kind])
    sync_roles(user, SCOPES[kind], tenant)
    return user


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def sign_in(client: Client, user: User) -> User:
    """`user` signed in on `client`, their identity kept in the session as MindSphere's sign-in does (no tokens).

    Someone with no MindSphere identity (an operator with a password) is just signed in.
    """
    client.force_login(user)
    identity = MindSphereIdentity.objects.filter(user=user).first()
    if identity is not None:
        session = client.session
        session[SESSION_IDENTITY_KEY] = saved_identity(identity)
        session.save()
    return user
