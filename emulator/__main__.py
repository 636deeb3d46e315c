"""`python -m emulator <command>`: Django's manage.py for the emulator's own settings."""
import os
import sys


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "emulator.settings"
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{sys.executable} -m emulator", *sys.argv[1:]])


if __name__ == "__main__":
    main()
