"""Speed of the leader dashboard ("一张图") and the report list on the demo city (issue #7).

    .venv/bin/python bench/dashboard.py                 # full demo city in a fresh data dir (~3 min to seed)
    .venv/bin/python bench/dashboard.py --size small    # quicker
    QINGSHAN_DATA_DIR=var .venv/bin/python bench/dashboard.py --reuse   # an already seeded database

Seeds the demo city (not timed) unless ``--reuse``, then requests each page
through Django's test client (the whole stack: middleware, region scope,
templates) as the bureau leader (whole city) and as county staff (东湖区):
cold (cache cleared before each request) and warm (5-minute provider cache),
and prints min / median / max in milliseconds and the response size. Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    ("dashboard", "/reports/dashboard/"),
    ("dashboard county table", "/reports/dashboard/?part=counties"),
    ("monitoring overview", "/monitoring/"),
    ("transmission rates", "/monitoring/transmission/"),
    ("monitoring alarms", "/monitoring/alarm/"),
    ("reports list", "/reports/"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["small", "full"], default="full")
    ap.add_argument("--reuse", action="store_true", help="use the database of QINGSHAN_DATA_DIR / DATABASE_URL as it is")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    if not args.reuse:
        data_dir = tempfile.mkdtemp(prefix="qs-bench-dash-")
        os.environ["QINGSHAN_DATA_DIR"] = data_dir
        os.environ.pop("DATABASE_URL", None)
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "qingshan", "migrate", "-v0"], check=True)
        subprocess.run([sys.executable, "-m", "qingshan", "demo", "--no-serve", "--size", args.size],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"seeded the {args.size} demo city in {time.monotonic() - t0:.0f} s ({data_dir})")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingshan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor}; python {sys.version.split()[0]}; {os.cpu_count()} cores")
    print(f"{'user':8} {'page':26} {'cold min/med/max ms':>22} {'warm min/med/max ms':>22} {'KB':>6}")
    for username in ("leader", "donghu"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        client.get("/reports/dashboard/")  # imports, template compilation
        for name, url in PAGES:
            cold, warm, size = [], [], 0
            for _ in range(args.repeat):
                cache.clear()
                t = time.perf_counter()
                r = client.get(url)
                cold.append((time.perf_counter() - t) * 1000)
                size = len(r.content)
                t = time.perf_counter()
                client.get(url)
                warm.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    print(f"  {url}: HTTP {r.status_code}")
                    break

            def fmt(xs):
                return f"{min(xs):.0f}/{statistics.median(xs):.0f}/{max(xs):.0f}"

            print(f"{username:8} {name:26} {fmt(cold):>22} {fmt(warm):>22} {size / 1024:6.0f}")


if __name__ == "__main__":
    main()
