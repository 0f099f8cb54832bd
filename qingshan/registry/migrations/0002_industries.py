import json
from pathlib import Path

from django.db import migrations


def load(apps, schema_editor):
    Industry = apps.get_model("registry", "Industry")
    data = json.loads((Path(__file__).resolve().parent.parent / "data" / "industries.json").read_text(encoding="utf-8"))
    for row in data["industries"]:
        Industry.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "section": row["section"]})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
