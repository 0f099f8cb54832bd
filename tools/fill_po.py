"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python tools/fill_po.py path/to/django.po translations.json
Only single-line msgids are filled; entries already translated are kept.
"""

import json
import re
import sys

po_path, dict_path = sys.argv[1], sys.argv[2]
table = json.load(open(dict_path, encoding="utf-8"))
text = open(po_path, encoding="utf-8").read()
text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
missing = []


def fill(match):
    msgid = match.group(1)
    key = json.loads(f'"{msgid}"')
    if key in table:
        return f'msgid "{msgid}"\nmsgstr {json.dumps(table[key], ensure_ascii=False)}\n'
    missing.append(key)
    return match.group(0)


text = re.sub(r'^msgid "((?:[^"\\]|\\.)+)"\nmsgstr ""\n(?!")', fill, text, flags=re.M)
text = text.replace("#, fuzzy\n", "")
open(po_path, "w", encoding="utf-8").write(text)
if missing:
    print("untranslated:", *missing, sep="\n  ")
