"""Excel import: bad rows reported with their row numbers, good rows kept."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qingshan.registry.models import Enterprise, Region
from qingshan.standards import gb32100


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("e.xlsx", buf.getvalue())


def _uscc(n):
    return gb32100.make("9", "1", "990101", f"{n:09d}")


def test_broken_rows_reported_and_good_rows_kept(client_for, users):
    grid = Region.objects.for_user(users["donghu"]).filter(level=5).first()
    other_grid = Region.objects.for_user(users["xishan"]).filter(level=5).first()
    bad_uscc = _uscc(1)[:-1] + ("0" if _uscc(1)[-1] != "0" else "1")
    sheet = _xlsx([
        ["统一社会信用代码", "名称", "行业", "区域 / 网格", "重点监控级别", "地址"],  # Chinese headers
        [_uscc(1), "导入测试一公司", "4411", grid.code, "national", "一路1号"],
        [bad_uscc, "校验位错误公司", "4411", grid.code, "none", ""],
        [_uscc(2), "行业不存在公司", "9999", grid.code, "none", ""],
        [_uscc(3), "越权导入公司", "4411", other_grid.code, "none", ""],
        [None, None, None, None, None, None],
        [_uscc(4), "导入测试二公司", "2221", grid.code, "省控", ""],  # choice given by its Chinese label
    ])
    r = client_for("donghu").post(reverse("registry:enterprise_import"), {"file": sheet})
    assert r.status_code == 200
    result = r.context["result"]
    assert (result.created, len(result.errors)) == (2, 3)
    rows = dict(result.errors)
    assert set(rows) == {3, 4, 5}
    assert "check character" in rows[3] or "校验" in rows[3]
    assert "9999" in rows[4]
    assert Enterprise.objects.filter(uscc=_uscc(1), name="导入测试一公司", key_level="national").exists()
    assert Enterprise.objects.get(uscc=_uscc(4)).key_level == "provincial"
    assert not Enterprise.objects.filter(uscc=_uscc(3)).exists()


def test_reimport_updates_instead_of_duplicating(client_for, users):
    grid = Region.objects.for_user(users["donghu"]).filter(level=5).first()
    header = ["uscc", "name", "industry", "region", "key_level"]
    client = client_for("donghu")
    client.post(reverse("registry:enterprise_import"), {"file": _xlsx([header, [_uscc(9), "甲公司", "4411", grid.code, "none"]])})
    r = client.post(reverse("registry:enterprise_import"), {"file": _xlsx([header, [_uscc(9), "甲公司（新）", "4411", grid.code, "none"]])})
    assert (r.context["result"].created, r.context["result"].updated) == (0, 1)
    assert Enterprise.objects.filter(uscc=_uscc(9)).count() == 1


def test_unreadable_file_and_missing_columns_are_clear_errors(client_for):
    client = client_for("donghu")
    r = client.post(reverse("registry:enterprise_import"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert r.status_code == 400 and "Excel" in r.content.decode()
    r = client.post(reverse("registry:enterprise_import"), {"file": _xlsx([["name"], ["x"]])})
    assert r.status_code == 400 and "uscc" in r.content.decode()


def test_export_round_trips_through_import(client_for):
    client = client_for("donghu")
    content = client.get(reverse("registry:enterprise_export")).content
    wb = load_workbook(io.BytesIO(content))
    n = wb.active.max_row - 1
    r = client.post(reverse("registry:enterprise_import"), {"file": SimpleUploadedFile("e.xlsx", content)})
    result = r.context["result"]
    assert result.errors == [] and result.unchanged == n


def test_outlets_and_permits_import(client_for, users):
    ent = Enterprise.objects.for_user(users["donghu"]).first()
    client = client_for("donghu")
    r = client.post(reverse("registry:outlet_import"), {"file": _xlsx([
        ["enterprise", "code", "name", "medium"],
        [ent.uscc, "DW077", "新排口", "water"],
        [ent.uscc, "DW078", "坏介质", "soil"],
    ])})
    res = r.context["result"]
    assert res.created == 1 and res.errors and res.errors[0][0] == 3
    r = client.post(reverse("registry:permit_import"), {"file": _xlsx([
        ["number", "enterprise", "issued_on", "valid_from", "valid_to"],
        ["PX-1", ent.uscc, "2026-01-01", "2026-01-01", "2030-12-31"],
        ["PX-2", ent.uscc, "2026-01-01", "2026-01-01", "2020-12-31"],
    ])})
    res = r.context["result"]
    assert res.created == 1 and [row for row, _m in res.errors] == [3]
