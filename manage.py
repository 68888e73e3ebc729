#!/usr/bin/env python
import os
import sys

# Commands that serve requests, or check a deployment, need the real SECRET_KEY. Every other
# command (migrate, makemigrations --check, imports) signs nothing that outlives it, so without
# a SECRET_KEY it runs on a throwaway one instead of refusing.
COMMANDS_NEEDING_THE_REAL_KEY = {"runserver", "testserver", "shell", "dbshell"}


def needs_real_key(argv: list[str]) -> bool:
    command = argv[1] if len(argv) > 1 else ""
    return command in COMMANDS_NEEDING_THE_REAL_KEY or (command == "check" and "--deploy" in argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not needs_real_key(sys.argv):
        os.environ.setdefault("DJANGO_THROWAWAY_SECRET_KEY_OK", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
