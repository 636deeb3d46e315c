"""People of two tenants as sign-in leaves them (identity, roles), without MindSphere: for page tests."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from sso.models import MindSphereIdentity, TokenRecord
from sso.roles import sync_roles
from sso.session import (
    SESSION_EXPIRIES_KEY,
    SESSION_IDENTITY_KEY,
    SESSION_RECORD_KEY,
    SESSION_TENANT_KEY,
    saved_identity,
)

TENANTS = ("acme", "globex")
# Two subtenants of acme, each with an admin and a user (as the emulator's demo data has them).
SUBTENANTS = {"windpark-north": "north", "windpark-south": "south"}
SCOPES = {
    "admin": ["mobilestarter.admin", "mobilestarter.user"],
    "user": ["mobilestarter.user"],
    "norole": [],
}


def email_of(tenant: str, kind: str, subtenant: str = "") -> str:
    """admin@acme.example; north-admin@acme.example for the admin of acme's subtenant windpark-north."""
    return f"{SUBTENANTS[subtenant]}-{kind}@{tenant}.example" if subtenant else f"{kind}@{tenant}.example"


def make_person(tenant: str, kind: str, email: str | None = None, subtenant: str = "") -> User:
    """A person of `tenant` (and `subtenant`) with the scopes of `kind` (admin, user, norole), as sign-in stores it."""
    email = email or email_of(tenant, kind, subtenant)
    user = User.objects.create_user(username=f"mdsp-{tenant}-{email}", email=email)
    MindSphereIdentity.objects.create(
        user=user, tenant=tenant, subtenant=subtenant, mindsphere_user_id=email, email=email, scopes=SCOPES[kind]
    )
    sync_roles(user, SCOPES[kind], tenant, subtenant)
    return user


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def sign_in(client: Client, user: User, *, tokens: bool = False) -> User:
    """`user` signed in on `client`, their identity kept in the session as MindSphere's sign-in does.

    `tokens`: with a token record too, valid for 30 minutes, as sign-in leaves it (privileged pages
    run the token check; its valid path needs no MindSphere). Without, a page that calls MindSphere
    finds no record and signs the person out, so no test reaches a gateway by accident.
    Someone with no MindSphere identity (an operator with a password) is just signed in.
    """
    client.logout()  # a new session: nothing of an earlier sign-in on this client (its token record) stays
    client.force_login(user)
    identity = MindSphereIdentity.objects.filter(user=user).first()
    if identity is not None:
        session = client.session
        session[SESSION_IDENTITY_KEY] = saved_identity(identity)
        if tokens:
            record = _token_record(user, identity.tenant, session.session_key)
            session[SESSION_RECORD_KEY] = record.pk
            session[SESSION_TENANT_KEY] = record.tenant
            expiries = [record.access_expires_at.timestamp(), record.refresh_expires_at.timestamp()]
            session[SESSION_EXPIRIES_KEY] = expiries
        session.save()
    return user


def _token_record(user: User, tenant: str, session_key: str) -> TokenRecord:
    now = timezone.now()
    record = TokenRecord(
        user=user,
        session_key=session_key,
        tenant=tenant,
        access_expires_at=now + timedelta(minutes=30),
        refresh_expires_at=now + timedelta(hours=12),
        scopes=MindSphereIdentity.objects.get(user=user).scopes,
    )
    record.access_token = "not-a-token"  # never sent: the valid path calls nobody
    record.refresh_token = "not-a-token"
    record.save()
    return record
