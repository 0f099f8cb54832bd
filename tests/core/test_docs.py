"""The README and the docs link only to files that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "qingshan/standards/README.md"]


def test_relative_links_resolve():
    broken = []
    for page in PAGES:
        for m in re.finditer(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            target = m.group(1)
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert not broken, "\n".join(broken)


def test_readme_first_screen_has_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:25])
    assert "./dev.sh demo" in head and "./dev.sh test" in head
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "./dev.sh test" in ci
