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
