"""The ``qingshan`` console command.

Two kinds of sub-commands:

* *pure* commands (``qingshan hj212 …``, ``qingshan calc …``) wrap the pure
  computations in :mod:`qingshan.standards`; they start without Django and
  touch no database, so they are fast and usable in shell pipelines;
* everything else is handed to Django's management machinery, so
  ``qingshan migrate``, ``qingshan runserver``, ``qingshan demo``,
  ``qingshan hj212-server`` … work without ``manage.py``.
"""

from __future__ import annotations

import importlib
import os
import sys

#: pure sub-command -> module exposing ``main(argv: list[str]) -> int``
PURE_COMMANDS = {
    "hj212": "qingshan.cli.hj212",
    "calc": "qingshan.cli.calc",
}


#: documented command names that differ from their Django module names
ALIASES = {"hj212-server": "hj212_server"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    if argv and argv[0] in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[argv[0]])
        return int(module.main(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingshan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qingshan", *argv])
    return 0
