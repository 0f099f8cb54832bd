"""Excel import and export of registry-style entities.

An :class:`ImportSpec` names the columns of a sheet. Import reads the first
sheet of an ``.xlsx``; the first row holds headers, matched to columns by
field name or by verbose name in Chinese or English. Each data row is
validated with the model's own form validation (validators, ``clean()``) and
saved in its own savepoint: **a bad row is reported with its row number and
reason, and every good row is kept**. Rows are matched to existing records by
the spec's natural key, so importing the same file twice updates instead of
duplicating. Foreign keys are given by a natural key (e.g. region code,
enterprise USCC) and resolved only among rows the importing user may see.
"""

from __future__ import annotations

import datetime
import decimal
import io
from dataclasses import dataclass, field
from typing import Callable

from django import forms
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .actor import acting_as
from .entity import check_in_reach, resolve_field


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not xlsx, no header, unknown headers)."""


def run_upload(form, importer) -> tuple[object | None, int]:
    """Validate a bound upload form (field ``file``) and run ``importer(uploaded_file)``.

    Returns ``(result, HTTP status)``. A form error or a file the importer cannot read at all
    (:class:`ImportFileError`, shown on the ``file`` field) gives ``(None, 400)``; row errors are
    the importer's result, reported with their row numbers while the good rows are kept."""
    if not form.is_valid():
        return None, 400
    try:
        return importer(form.cleaned_data["file"]), 200
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return None, 400


def read_rows(name: str, content: bytes) -> list[list]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM, else GB 18030) or of the first sheet of an .xlsx."""
    if name.lower().endswith(".csv"):
        import csv

        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("gb18030", errors="replace")
        return list(csv.reader(io.StringIO(text)))
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise ImportFileError(_("Cannot read the file as an Excel workbook (.xlsx) or CSV: %(err)s") % {"err": exc}) from None
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


@dataclass(frozen=True)
class Column:
    field: str
    #: for a foreign key: the related model's field holding the natural key
    lookup: str | None = None
    #: optional custom resolver(value, row: dict, user) -> object
    resolver: Callable | None = None
    required_header: bool = True


@dataclass
class ImportSpec:
    model: type[models.Model]
    columns: list[Column]
    #: fields identifying an existing record (after resolution), for upsert
    key: tuple[str, ...]
    form_fields: list[str] | None = None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok_rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _labels(model, column: Column) -> set[str]:
    f = resolve_field(model, column.field)
    names = {column.field.lower()}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            names.add(str(f.verbose_name).strip().lower())
    return names


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


def _choice_value(f, text: str) -> str:
    if not f.choices or text == "":
        return text
    for value, label in f.flatchoices:
        if text == str(value) or text.lower() == str(label).lower():
            return str(value)
    with translation.override("zh-hans"):
        for value, label in f.flatchoices:
            if text == str(label):
                return str(value)
    return text


def import_workbook(spec: ImportSpec, fileobj, user) -> ImportResult:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise ImportFileError(_("Cannot read the file as an Excel workbook (.xlsx): %(err)s") % {"err": exc}) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_("The sheet is empty.")) from None
    index: dict[str, int] = {}
    wanted = {c.field: _labels(spec.model, c) for c in spec.columns}
    for i, cell in enumerate(header):
        text = _cell_text(cell).lower()
        for fname, labels in wanted.items():
            if text in labels:
                index[fname] = i
    missing = [c.field for c in spec.columns if c.required_header and c.field not in index]
    if missing:
        raise ImportFileError(_("Missing columns: %(cols)s") % {"cols": ", ".join(missing)})
    result = ImportResult()
    with acting_as(user):
        for row_number, row in enumerate(rows, start=2):
            if row is None or all(v in (None, "") for v in row):
                continue
            try:
                outcome = _import_row(spec, row, index, user)
            except _RowError as exc:
                result.errors.append((row_number, str(exc)))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


class _RowError(Exception):
    pass


def _import_row(spec: ImportSpec, row, index, user) -> str:
    model = spec.model
    raw: dict[str, str] = {}
    for column in spec.columns:
        i = index.get(column.field)
        raw[column.field] = _cell_text(row[i]) if i is not None and i < len(row) else ""
    data: dict[str, object] = {}
    resolved: dict[str, object] = {}
    for column in spec.columns:
        f = resolve_field(model, column.field)
        text = raw[column.field]
        if column.resolver is not None:
            try:
                obj = column.resolver(text, resolved, user)
            except Exception as exc:
                raise _RowError(f"{f.verbose_name}: {exc}") from None
            resolved[column.field] = obj
            data[column.field] = obj.pk if isinstance(obj, models.Model) else obj
        elif f.is_relation and column.lookup:
            if text == "":
                data[column.field] = ""
                continue
            related = f.related_model
            qs = related.objects.for_user(user) if hasattr(related.objects, "for_user") else related.objects.all()
            obj = qs.filter(**{column.lookup: text}).first()
            if obj is None:
                raise _RowError(_("%(field)s: %(value)s not found") % {"field": f.verbose_name, "value": text})
            resolved[column.field] = obj
            data[column.field] = obj.pk
        elif text == "" and f.has_default():
            data[column.field] = f.get_default()
        else:
            data[column.field] = _choice_value(f, text)
            if isinstance(f, models.BooleanField):
                data[column.field] = text.lower() in {"1", "true", "yes", "y", "是", "x"}
    key = {}
    for k in spec.key:
        key[k] = resolved.get(k, data.get(k))
    instance = model._default_manager.filter(**key).first() if all(v not in ("", None) for v in key.values()) else None
    if instance is not None and not model.objects.for_user(user).filter(pk=instance.pk).exists():
        raise _RowError(_("a record with this key exists outside your region"))
    form_fields = spec.form_fields or [c.field for c in spec.columns]
    form_class = forms.modelform_factory(model, fields=form_fields)
    if instance is not None:
        # keep values of fields the sheet leaves empty
        initial = forms.model_to_dict(instance, fields=form_fields)
        for k, v in list(data.items()):
            if v in ("", None) and initial.get(k) not in (None, ""):
                data[k] = initial[k]
    form = form_class(data=data, instance=instance)
    if not form.is_valid():
        parts = []
        for fname, errs in form.errors.items():
            label = str(resolve_field(model, fname).verbose_name) if fname != "__all__" else ""
            parts.append(f"{label}: {' '.join(errs)}" if label else " ".join(errs))
        raise _RowError("; ".join(parts))
    obj = form.save(commit=False)
    problem = check_in_reach(user, obj)
    if problem:
        raise _RowError(problem)
    if instance is not None and not form.has_changed():
        return "unchanged"
    try:
        with transaction.atomic():
            obj.save()
            form.save_m2m()
    except Exception as exc:  # integrity errors of this row only
        raise _RowError(str(exc)) from None
    return "updated" if instance is not None else "created"


def sheet_title(text: str) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, not empty."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in text).strip("' ")[:31]
    return cleaned or "Sheet"


def export_value(obj, column_field: str, lookup: str | None):
    value = obj
    for part in column_field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    if isinstance(value, models.Model):
        return getattr(value, lookup) if lookup else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (list, dict)):
        return str(value)
    return value


def export_workbook(queryset, columns: list[Column] | None, fallback_fields: list[str]) -> bytes:
    """An .xlsx of the queryset; headers are verbose names in the active language."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    model = queryset.model
    cols = columns or [Column(f) for f in fallback_fields]
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title(str(model._meta.verbose_name_plural))
    ws.append([str(resolve_field(model, c.field).verbose_name) for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for obj in queryset.iterator(chunk_size=2000):
        ws.append([export_value(obj, c.field, c.lookup) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
