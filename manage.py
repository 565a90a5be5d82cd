#!/usr/bin/env python
"""HMS command line: `python manage.py help` lists the commands."""

import os
import sys

HELP_ARGUMENTS = {"help", "--help", "-h"}


def _only_asks_for_help(argv: list[str]) -> bool:
    """`manage.py`, `manage.py help [command]` or `manage.py <command> --help`."""
    return len(argv) < 2 or argv[1] == "help" or bool(HELP_ARGUMENTS & set(argv[1:]))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hms.settings")
    if _only_asks_for_help(sys.argv):
        # Listing commands and printing their options signs nothing, so production settings
        # may load them without SECRET_KEY (hms/settings.py uses a throwaway key then).
        os.environ["HMS_HELP_ONLY"] = "true"
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Read the settings first: Django's command line keeps a settings error to itself and
        # runs the command without apps, which ends in "Models aren't loaded yet".
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake is a message for the operator, not a traceback.
        sys.exit(f"manage.py: {error}")


if __name__ == "__main__":
    main()
