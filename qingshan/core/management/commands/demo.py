"""``qingshan demo``: migrate, seed the demo city, and serve it."""

from __future__ import annotations

import datetime
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from qingshan.core.actor import acting_as
from qingshan.core.demo import DEMO_PASSWORD, SIZES, DemoContext
from qingshan.core.models import DemoRun
from qingshan.core.navigation import app_modules


class Command(BaseCommand):
    help = "Create the demo city (deterministic from --seed) and serve the platform."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--size", choices=sorted(SIZES), default="full")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="date the demo data ends on (default: today)")
        parser.add_argument("--no-serve", action="store_true", help="only create the data")
        parser.add_argument("--no-services", action="store_true", help="do not start the HJ 212 server and simulator")
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, **opts):
        call_command("migrate", verbosity=0, interactive=False)
        today = opts["today"] or datetime.date.today()
        ctx = DemoContext(seed=opts["seed"], size=opts["size"], today=today, stdout=self.stdout)
        started = time.monotonic()
        with acting_as(name="demo"):
            for label, module in app_modules("demo"):
                seed = getattr(module, "seed", None)
                if seed is None:
                    continue
                if DemoRun.objects.filter(app_label=label).exists():
                    self.stdout.write(f"  {label}: demo data already present")
                    continue
                t0 = time.monotonic()
                with transaction.atomic():
                    seed(ctx)
                    DemoRun.objects.create(app_label=label, seed=ctx.seed, size=ctx.size)
                self.stdout.write(f"  {label}: seeded in {time.monotonic() - t0:.1f} s")
        self.stdout.write(self.style.SUCCESS(
            f"Demo city ready ({time.monotonic() - started:.1f} s). Users: see README; password for all: {DEMO_PASSWORD}"))
        if opts["no_serve"]:
            return
        children = []
        # SIGTERM (systemd, kill, a terminal closing) must stop the children too: turn it into SystemExit
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        try:
            for argv in ([] if opts["no_services"] else demo_services(ctx)):
                self.stdout.write(f"  starting: qingshan {' '.join(argv)}")
                children.append(subprocess.Popen([sys.executable, "-m", "qingshan", *argv]))
            call_command("collectstatic", verbosity=0, interactive=False)
            self.stdout.write(self.style.SUCCESS(f"Serving on http://{opts['addr']}/  (staff area: /staff/)"))
            call_command("runserver", opts["addr"], use_reloader=False)
        finally:
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()


def demo_services(ctx: DemoContext) -> list[list[str]]:
    """The ``qingshan`` sub-commands the apps' ``demo_services(ctx)`` hooks ask to run beside the web server."""
    out = []
    for _label, module in app_modules("demo"):
        hook = getattr(module, "demo_services", None)
        if callable(hook):
            out.extend(list(argv) for argv in hook(ctx))
    return out
