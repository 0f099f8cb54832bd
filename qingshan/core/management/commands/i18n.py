"""``qingshan i18n``: regenerate and compile every app's zh_Hans catalogue."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run makemessages (zh_Hans) and compilemessages in every Qingshan app that has a locale folder."

    def add_arguments(self, parser):
        parser.add_argument("--compile-only", action="store_true")

    def handle(self, *args, **opts):
        root = Path(settings.BASE_DIR)
        cwd = os.getcwd()
        for app in settings.QINGSHAN_APPS:
            app_dir = root / app.rsplit(".", 1)[-1]
            if not (app_dir / "locale").is_dir():
                continue
            os.chdir(app_dir)
            try:
                if not opts["compile_only"]:
                    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
                call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
            finally:
                os.chdir(cwd)
            self.stdout.write(f"{app}: done")
