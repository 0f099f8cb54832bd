import subprocess
import sys

from django.core.management import call_command

from qingshan.core.models import DemoRun
from qingshan.registry.models import Enterprise, Region


def test_demo_is_idempotent(db):
    before = (Enterprise.objects.count(), Region.objects.count(), DemoRun.objects.count())
    call_command("demo", "--no-serve", "--size", "small", "--seed", "7", "--today", "2026-06-30")
    assert (Enterprise.objects.count(), Region.objects.count(), DemoRun.objects.count()) == before


def test_demo_city_shape(db):
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 2
    assert Region.objects.filter(level=Region.Level.GRID).count() == 12
    assert Enterprise.objects.count() == 60


def test_console_command_wraps_django():
    out = subprocess.run([sys.executable, "-m", "qingshan", "help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "demo" in out.stdout


def test_demo_services_are_the_hj212_server_and_the_simulator():
    """``qingshan demo`` runs what the apps' ``demo_services`` hooks return, and each is a real command."""
    import datetime

    from django.core.management import get_commands

    from qingshan.cli import ALIASES
    from qingshan.core.demo import DemoContext
    from qingshan.core.management.commands.demo import demo_services

    argvs = demo_services(DemoContext(seed=1, size="small", today=datetime.date(2026, 6, 1)))
    assert [a[0] for a in argvs] == ["hj212_server", "simulate"]
    commands = get_commands()
    assert all(ALIASES.get(a[0], a[0]) in commands for a in argvs)
