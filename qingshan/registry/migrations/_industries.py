"""GB/T 4754 industry table loader, shared by migration 0002 and the demo (after a test flush)."""

import json
from pathlib import Path


def load(apps, schema_editor):
    Industry = apps.get_model("registry", "Industry")
    data = json.loads((Path(__file__).resolve().parent.parent / "data" / "industries.json").read_text(encoding="utf-8"))
    for row in data["industries"]:
        Industry.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "section": row["section"]})
