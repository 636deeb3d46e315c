"""More work for the bench: token records in the app's database (run under the bench's settings).

python -m bench.seed records 100000   # until there are that many token records
"""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta


def token_records(total: int) -> int:
    """Add token records of other people until there are `total`; how many there are now."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from sso.models import TokenRecord

    missing = total - TokenRecord.objects.count()
    if missing <= 0:
        return TokenRecord.objects.count()
    model = TokenRecord.objects.order_by("pk").first()  # the signed-in person's: its encrypted tokens are reused
    if model is None:
        raise RuntimeError("sign someone in first: their token record is the model of the others")
    now = timezone.now()
    batch = 5000
    while missing > 0:
        size = min(batch, missing)
        users = User.objects.bulk_create([User(username=f"bench-{secrets.token_hex(8)}") for _ in range(size)])
        TokenRecord.objects.bulk_create(
            [
                TokenRecord(
                    user=user,
                    session_key=secrets.token_hex(16),
                    tenant="acme",
                    access_token_encrypted=model.access_token_encrypted,
                    refresh_token_encrypted=model.refresh_token_encrypted,
                    access_expires_at=now + timedelta(minutes=30),
                    refresh_expires_at=now + timedelta(hours=12),
                    scopes=model.scopes,
                )
                for user in users
            ]
        )
        missing -= size
    return TokenRecord.objects.count()


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[:1] == ["records"]:
        print(token_records(int(argv[1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
