"""Import monthly section samples from Excel (.xlsx) or CSV: one row per sampling.

Header row (any order, case-insensitive; units in brackets are ignored):

* ``section`` / ``断面编码`` / ``断面代码``: the section code (required);
* ``date`` / ``采样日期`` / ``监测日期``: the sampling date (required);
* ``condition`` / ``状况``: normal, dry (断流) or frozen (冰冻) (optional);
* ``note`` / ``备注`` (optional);
* one column per item, named by its key as in ``qingshan calc water`` (``pH``, ``DO``,
  ``CODMn``, ``COD``, ``BOD5``, ``NH3-N``, ``TP``, ``TN``, …, and the drinking-water items
  ``sulfate``, ``chloride``, ``nitrate``, ``Fe``, ``Mn``) or by its Chinese name
  (``溶解氧``, ``氨氮(mg/L)``, …).

Values are numbers, ``0.05L`` / ``<0.05`` / ``ND(0.05)`` below the detection limit, or
empty / ``/`` when not measured. Each bad row is reported with its row number and the
reason; every good row is stored (the sample of the same section, date and source is
replaced) and the assessments and compensation ledger of the affected months are
recomputed once at the end.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qingshan.core.actor import acting_as
from qingshan.core.importexport import ImportFileError, read_rows
from qingshan.standards import gb3838, water_assessment

from . import services
from .models import Sample, Section

MAX_ROWS = 20000




@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    months: set = field(default_factory=set)

    @property
    def ok_rows(self) -> int:
        return self.created + self.updated + self.unchanged


FIXED_HEADERS = {
    "section": "section", "section code": "section", "断面编码": "section", "断面代码": "section", "断面": "section",
    "date": "date", "sampling date": "date", "采样日期": "date", "监测日期": "date", "采样时间": "date", "日期": "date",
    "condition": "condition", "状况": "condition", "断面状况": "condition",
    "note": "note", "备注": "note",
}
CONDITIONS = {"": "normal", "normal": "normal", "正常": "normal", "dry": "dry", "断流": "dry", "干涸": "dry",
              "frozen": "frozen", "冰冻": "frozen", "结冰": "frozen"}


def _norm(text: str) -> str:
    text = re.sub(r"[（(][^）)]*[）)]", "", str(text or "")).strip()
    return text.replace("\u3000", " ").strip()


def item_headers() -> dict[str, str]:
    """Header text (lower-case) → item key, from the keys and names of GB 3838 Tables 1 and 2."""
    out = {}
    for table in (gb3838.TABLE1, gb3838.TABLE2):
        for key, it in table.items():
            out[key.lower()] = key
            out[_norm(it.name).lower()] = key
            out[it.name_en.lower()] = key
    out.update({"ph值": "pH", "nh3n": "NH3-N", "氨氮": "NH3-N", "codmn": "CODMn", "cod": "COD", "bod5": "BOD5",
                "水温": "water_temperature", "铬": "Cr6", "六价铬": "Cr6", "挥发酚": "phenol", "石油类": "petroleum",
                "硫化物": "S2-", "粪大肠菌群": "fecal_coliform", "硫酸盐": "sulfate", "氯化物": "chloride", "硝酸盐": "nitrate",
                "硝酸盐氮": "nitrate"})
    return out



def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").replace("日", "")
    text = text.split(" ")[0].split("T")[0]
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return datetime.date(y, m, d)
    except (ValueError, TypeError):
        raise ValueError(_("date %(value)s is not a date (YYYY-MM-DD)") % {"value": _cell(value)}) from None


def import_samples(name: str, content: bytes, user, *, today: datetime.date | None = None) -> ImportResult:
    rows = read_rows(name, content)
    rows = [r for r in rows if r and any(_cell(c) for c in r)] if rows else []
    if not rows:
        raise ImportFileError(_("The file is empty."))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(_("Too many rows (at most %(n)s per file).") % {"n": MAX_ROWS})
    items = item_headers()
    columns: dict[int, tuple[str, str]] = {}
    ignored = []
    for i, h in enumerate(rows[0]):
        text = _norm(_cell(h))
        low = text.lower()
        if not text:
            continue
        if low in FIXED_HEADERS:
            columns[i] = ("field", FIXED_HEADERS[low])
        elif low in items:
            columns[i] = ("item", items[low])
        else:
            ignored.append(text)
    fields = {v for kind, v in columns.values() if kind == "field"}
    missing = [c for c in ("section", "date") if c not in fields]
    if missing:
        raise ImportFileError(_("Missing columns: %(cols)s (section code and sampling date are required)") % {"cols": ", ".join(missing)})
    if not any(kind == "item" for kind, _v in columns.values()):
        raise ImportFileError(_("No item column found; name the columns by item key (pH, DO, NH3-N, …) or Chinese name."))
    result = ImportResult(ignored_columns=ignored)
    today = today or datetime.date.today()
    sections = {s.code: s for s in Section.objects.for_user(user)}
    with acting_as(user), services.deferred_assessment():
        for number, row in enumerate(rows[1:], start=2):
            try:
                outcome, sample = _import_row(row, columns, sections, today)
            except (ValueError, ValidationError) as exc:
                msg = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                result.errors.append((number, msg))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            result.months.add((sample.date.year, sample.date.month))
    return result


def _import_row(row, columns, sections, today):
    raw = {"condition": "", "note": ""}
    values = {}
    problems = []
    for i, (kind, key) in columns.items():
        cell = row[i] if i < len(row) else None
        if kind == "field":
            raw[key] = cell
            continue
        text = _cell(cell)
        try:
            parsed = water_assessment.parse_measurement(text, key)
        except gb3838.WaterQualityError as exc:
            problems.append(str(exc))
            continue
        if parsed is None:
            continue
        if key in gb3838.TABLE1 and not isinstance(parsed, water_assessment.BelowDetection):
            try:
                gb3838.evaluation_value(key, parsed)
            except gb3838.WaterQualityError as exc:
                problems.append(str(exc))
                continue
        values[key] = text if isinstance(parsed, water_assessment.BelowDetection) else _number(parsed)
    code = _cell(raw.get("section"))
    if not code:
        raise ValueError(_("no section code"))
    section = sections.get(code)
    if section is None:
        raise ValueError(_("section %(code)s not found or outside your region") % {"code": code})
    if raw.get("date") in (None, ""):
        raise ValueError(_("no sampling date"))
    day = _date(raw["date"])
    if day > today:
        raise ValueError(_("sampling date %(date)s is in the future") % {"date": day})
    if problems:
        raise ValueError("; ".join(problems))
    condition = CONDITIONS.get(_cell(raw.get("condition")).lower())
    if condition is None:
        raise ValueError(_("condition %(value)s: use normal, dry or frozen") % {"value": _cell(raw.get("condition"))})
    if condition == "normal" and not values:
        raise ValueError(_("no measured value (mark the section dry or frozen if it could not be sampled)"))
    note = _cell(raw.get("note"))[:200]
    existing = Sample.objects.filter(section=section, date=day, source=Sample.Source.MANUAL).first()
    if existing is not None:
        if existing.values == values and existing.condition == condition and existing.note == note:
            return "unchanged", existing
        sample, outcome = existing, "updated"
    else:
        sample, outcome = Sample(section=section, date=day, source=Sample.Source.MANUAL), "created"
    sample.values, sample.condition, sample.note = values, condition, note
    sample.full_clean()
    with transaction.atomic():
        sample.save()
    return outcome, sample


def _number(d):
    return int(d) if d == d.to_integral_value() and abs(d) < 10**12 else float(d)


def template_workbook(sections) -> bytes:
    """An .xlsx to fill in: one header row (codes of the user's sections listed on a second sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "samples"
    keys = [k for k in gb3838.TABLE1] + list(gb3838.TABLE2)
    ws.append(["断面编码", "采样日期", "状况", "备注", *keys])
    ws.append(["", "", "", "", *[gb3838.item(k).name for k in keys]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.delete_rows(2)  # the names row is only a hint on the items sheet
    info = wb.create_sheet("items")
    info.append(["key", "名称", "unit", "GB 3838"])
    for k in keys:
        it = gb3838.item(k)
        info.append([k, it.name, it.unit, f"Table {it.table}"])
    sec = wb.create_sheet("sections")
    sec.append(["断面编码", "断面名称", "水体", "责任县区"])
    for s in sections:
        sec.append([s.code, s.name, s.water_body.name, s.region.name])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
