"""`python -m emulator <command>`: Django's manage.py for the emulator's own settings.

`python -m emulator gateway [address:port] [runserver options]` runs the emulated gateway instead
(settings `emulator.gateway_settings`), on 127.0.0.1:$GATEWAY_PORT (8002) unless told otherwise.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    args = sys.argv[1:]
    os.environ["DJANGO_SETTINGS_MODULE"] = "emulator.settings"
    if args[:1] == ["gateway"]:
        os.environ["DJANGO_SETTINGS_MODULE"] = "emulator.gateway_settings"
        address = [] if any(not arg.startswith("-") for arg in args[1:]) else [_gateway_address()]
        args = ["runserver", *args[1:], *address]
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{sys.executable} -m emulator", *args])


def _gateway_address() -> str:
    return f"127.0.0.1:{os.environ.get('GATEWAY_PORT') or 8002}"


if __name__ == "__main__":
    main()
