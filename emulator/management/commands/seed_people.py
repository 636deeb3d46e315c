"""`python -m emulator seed_people --count N`: many people at once, for the load test (loadtest/).

People `<prefix>-<n>@<tenant>.example` (password `demo`), spread over the demo tenants with the app
(acme, globex), half with the user scope and half with both scopes. The password is hashed once and
the rows are inserted in bulk, so 10,000 people take seconds. Idempotent: people who exist are kept.
Run `seed_demo` first (it creates the tenants and the app registration).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from emulator.demo import DEMO_PASSWORD
from emulator.models import Application, AppScope, TenantUser

TENANTS = ("acme", "globex")


def email_of(prefix: str, number: int, tenant: str) -> str:
    return f"{prefix}-{number}@{tenant}.example"


class Command(BaseCommand):
    help = "Create many people (<prefix>-<n>@<tenant>.example, password 'demo') in acme and globex, in bulk."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many people in all")
        parser.add_argument("--prefix", default="load", help="the start of their emails (default: load)")

    def handle(self, *args, count: int, prefix: str, **options) -> None:
        if count < 0:
            raise CommandError("--count must be 0 or more")
        application = Application.objects.filter(name=settings.EMULATOR_APP_NAME).first()
        if application is None:
            raise CommandError("no app registration: run seed_demo first")
        scopes = {scope.name: scope for scope in AppScope.objects.filter(application=application)}
        tenants = {tenant.name: tenant for tenant in application.tenants.filter(name__in=TENANTS)}
        if set(tenants) != set(TENANTS) or {"admin", "user"} - set(scopes):
            raise CommandError("the demo tenants or scopes are missing: run seed_demo first")
        with transaction.atomic():
            created = self._create(count, prefix, tenants, scopes)
        self.stdout.write(f"{created} people created, {count - created} already there.")

    def _create(self, count: int, prefix: str, tenants: dict, scopes: dict) -> int:
        password = make_password(DEMO_PASSWORD)  # once: hashing is what makes one-by-one slow
        wanted = {(TENANTS[n % len(TENANTS)], email_of(prefix, n, TENANTS[n % len(TENANTS)])): n for n in range(count)}
        existing = set(TenantUser.objects.filter(email__startswith=f"{prefix}-").values_list("tenant__name", "email"))
        new = [
            TenantUser(tenant=tenants[tenant], email=email, password=password)
            for (tenant, email) in wanted
            if (tenant, email) not in existing
        ]
        TenantUser.objects.bulk_create(new, batch_size=500)
        users = TenantUser.objects.filter(email__in=[user.email for user in new]).select_related("tenant")
        through = TenantUser.app_scopes.through
        links = []
        for user in users:
            names = ("admin", "user") if wanted[(user.tenant.name, user.email)] % 4 < 2 else ("user",)
            links += [through(tenantuser_id=user.pk, appscope_id=scopes[name].pk) for name in names]
        through.objects.bulk_create(links, batch_size=1000)
        return len(new)
