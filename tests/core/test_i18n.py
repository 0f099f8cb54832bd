"""The Simplified Chinese catalogues are complete and compiled.

* every ``msgid`` of every app's ``zh_Hans`` catalogue has a translation and none is fuzzy;
* the committed ``.mo`` holds exactly what the ``.po`` says (someone ran ``compilemessages``);
* ``makemessages`` on a copy of the sources finds no string that the catalogue lacks.
"""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qingshan

ROOT = Path(qingshan.__file__).resolve().parent
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
ENTRY = re.compile(r'(?P<flags>(?:^#[^\n]*\n)*)(?:^msgctxt (?P<ctx>(?:"(?:[^"\\]|\\.)*"\n)+))?'
                   r'^msgid (?P<id>(?:"(?:[^"\\]|\\.)*"\n)+)(?:^msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)?'
                   r'(?P<strs>(?:^msgstr(?:\[\d\])? (?:"(?:[^"\\]|\\.)*"\n)+)+)', re.M)


def _text(quoted: str) -> str:
    return "".join(eval(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', quoted))  # noqa: S307 - PO string literals


def entries(path: Path):
    """(context or None, msgid, msgstrs, fuzzy) of every live entry of a .po file."""
    for m in ENTRY.finditer(path.read_text(encoding="utf-8")):
        msgid = _text(m["id"])
        if not msgid or m["flags"].lstrip().startswith("#~"):
            continue
        strs = [_text(s) for s in re.findall(r'^msgstr(?:\[\d\])? ((?:"(?:[^"\\]|\\.)*"\n)+)', m["strs"], re.M)]
        yield (_text(m["ctx"]) if m["ctx"] else None), msgid, strs, "fuzzy" in m["flags"]


def test_there_are_catalogues():
    assert {p.parts[-5] for p in CATALOGUES} >= {"core", "registry", "monitoring", "air", "water", "portal"}


@pytest.mark.parametrize("po", CATALOGUES, ids=[p.parts[-5] for p in CATALOGUES])
def test_catalogue_is_complete_and_compiled(po):
    problems = []
    with open(po.with_suffix(".mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for ctx, msgid, strs, fuzzy in entries(po):
        if fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(strs):
            problems.append(f"untranslated: {msgid!r}")
        elif len(strs) == 1 and (compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)) != strs[0]:
            problems.append(f"not compiled (run compilemessages): {msgid!r}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_makemessages_finds_nothing_new(tmp_path):
    copy = tmp_path / "qingshan"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "var", "*.mo", "data"))
    missing = []
    for po in CATALOGUES:
        app = po.parts[-5]
        subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "-v0",
                        "--settings=qingshan.settings"], cwd=copy / app, check=True, capture_output=True,
                       env={"PATH": "/usr/bin:/bin", "QINGSHAN_DATA_DIR": str(tmp_path / "var"),
                            "PYTHONPATH": str(ROOT.parent)})
        known = {(ctx, msgid) for ctx, msgid, _strs, _fuzzy in entries(po)}
        fresh = copy / app / "locale/zh_Hans/LC_MESSAGES/django.po"
        missing += [f"{app}: {msgid!r}" for ctx, msgid, _strs, _fuzzy in entries(fresh) if (ctx, msgid) not in known]
    assert not missing, "strings without a translation (run makemessages, translate, compilemessages):\n" + "\n".join(missing[:30])
