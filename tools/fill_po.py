"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python tools/fill_po.py path/to/django.po translations.json
Single-line and multi-line msgids are filled; entries already translated are kept.
"""

import json
import re
import sys

po_path, dict_path = sys.argv[1], sys.argv[2]
table = json.load(open(dict_path, encoding="utf-8"))
text = open(po_path, encoding="utf-8").read()
text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
missing = []

ENTRY = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ""\n(?!")', re.M)


def fill(match):
    key = "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', match.group(1)))
    if not key:
        return match.group(0)  # the header
    if key in table:
        return f"msgid {match.group(1)}msgstr {json.dumps(table[key], ensure_ascii=False)}\n"
    missing.append(key)
    return match.group(0)


text = ENTRY.sub(fill, text)
text = text.replace("#, fuzzy\n", "")
open(po_path, "w", encoding="utf-8").write(text)
if missing:
    print(f"{len(missing)} untranslated:", *missing, sep="\n  ")
