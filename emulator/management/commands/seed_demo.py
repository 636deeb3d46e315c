from __future__ import annotations

from django.core.management.base import BaseCommand

from emulator.demo import seed


class Command(BaseCommand):
    help = "Create or refresh the demo tenants, users, app registration, app credentials and assets (idempotent)."

    def handle(self, *args, **options) -> None:
        seed()
        self.stdout.write(
            "Emulator demo data ready: tenants acme and globex (with the app) and hooli (without); password 'demo'."
        )
