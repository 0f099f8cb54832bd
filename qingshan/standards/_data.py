"""Packaged data files of the standards modules (JSON under ``qingshan/standards/data/<folder>/``).

Rule sets, schemes and tables that a deployment may extend are data; this is
the one place that lists and reads them (read-only package resources, no
other file access).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def packaged_ids(folder: str) -> list[str]:
    """Ids (file stems) of the JSON files packaged in ``data/<folder>/``, sorted."""
    path = resources.files("qingshan.standards").joinpath("data", folder)
    return sorted(p.name[:-5] for p in path.iterdir() if p.name.endswith(".json"))


def packaged_json(folder: str, item_id: str) -> Any:
    """The parsed JSON file ``data/<folder>/<item_id>.json`` (the caller checks the id first)."""
    path = resources.files("qingshan.standards").joinpath("data", folder, f"{item_id}.json")
    return json.loads(path.read_text(encoding="utf-8"))
