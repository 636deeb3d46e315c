#!/usr/bin/env python
"""Django's command-line utility for the app (the emulator has `python -m emulator`)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    if "SECRET_KEY" not in os.environ:
        # Typed on a developer's machine, as the docs do (`python manage.py migrate`): DEBUG on, as
        # `make run` has, since with DEBUG off the development key is refused (project.E001).
        # Whatever is deployed sets SECRET_KEY, and DEBUG then keeps its default, off.
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
