"""Shared fixtures.

The test database is seeded once per session with the *small* demo city
(2 counties, 6 towns, 12 grids, 60 enterprises, every app's demo hook), dated
``DEMO_TODAY``. Tests using the ``db`` fixture run inside a transaction that is
rolled back, so they all see the same city. Tests using ``transactional_db``
(servers in threads or processes) get an empty database and must build
their own data (e.g. with ``seed_small_city()``).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

DEMO_SEED = 7
DEMO_TODAY = datetime.date(2026, 6, 30)
PASSWORD = "Qingshan@2026"


def seed_small_city():
    call_command("demo", "--no-serve", "--size", "small", "--seed", str(DEMO_SEED), "--today", DEMO_TODAY.isoformat())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_small_city()


@pytest.fixture
def users(db):
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.select_related("profile").all()}


@pytest.fixture
def counties(db):
    from qingshan.registry.models import Region

    return list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))


@pytest.fixture
def client_for(db, client):
    """``client_for("donghu")`` returns a test client logged in as that demo user."""
    from django.test import Client

    def make(username: str) -> Client:
        c = Client()
        assert c.login(username=username, password=PASSWORD), username
        return c

    return make
