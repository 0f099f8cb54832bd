"""Reports: figures match direct database queries; PDF, Word and Excel are opened and checked."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings

from qingshan.complaints.models import Complaint
from qingshan.enforcement import models as em
from qingshan.registry.models import CompletionAcceptance, EIAApproval
from qingshan.reports import content, services
from qingshan.reports.kinds import KINDS, ParamError, collect_summary
from qingshan.reports.models import Report

pytestmark = pytest.mark.django_db
START, END = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)


def pdf_text(data: bytes) -> str:
    import pypdf

    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def docx_text(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def xlsx_text(data: bytes) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None)


@pytest.mark.parametrize("username", ["admin", "donghu"])
def test_summary_figures_match_database(users, username):
    user = users[username]
    f = collect_summary({"year": 2026, "half": "1"}, user)
    insp = em.Inspection.objects.for_user(user).filter(status="done", inspected_on__range=(START, END))
    e = f["enforcement"]
    assert f["area"] == ("全市" if username == "admin" else user.profile.region.name)
    assert e["inspections"] == insp.count()
    assert e["staff_times"] == (insp.aggregate(s=Sum("staff_count"))["s"] or 0)
    assert e["enterprises_inspected"] == insp.values("enterprise").distinct().count()
    assert e["enterprises_penalized"] == (em.Measure.objects.for_user(user).filter(decided_on__range=(START, END))
                                          .values("case__enterprise").distinct().count())
    comps = Complaint.objects.for_user(user).filter(received_on__range=(START, END))
    c = f["complaints"]
    assert c["phone"] == comps.filter(channel="phone_12369").count()
    assert c["proposals"] == comps.filter(channel="npc_cppcc").count()
    public = comps.exclude(channel="npc_cppcc")
    assert c["total"] == public.count()
    assert c["closed"] == public.filter(status="closed").count()
    eia = EIAApproval.objects.for_user(user).filter(received_on__range=(START, END))
    assert f["eia"]["eia_reviewed"] == eia.count()
    assert f["eia"]["eia_rejected"] == eia.filter(status="rejected").count()
    acc = CompletionAcceptance.objects.for_user(user).filter(accepted_on__range=(START, END)).exclude(result="pending")
    assert f["eia"]["acceptances"] == acc.count()
    assert f["eia"]["acceptances_passed"] == acc.filter(result="passed").count()


def test_county_sees_less_than_city(users):
    city = collect_summary({"year": 2026, "half": "1"}, users["admin"])
    county = collect_summary({"year": 2026, "half": "1"}, users["donghu"])
    assert county["eia"]["eia_reviewed"] <= city["eia"]["eia_reviewed"]
    assert county["complaints"]["total"] <= city["complaints"]["total"]


@override_settings(QINGSHAN_REPORTS_SYNC=True)
def test_generate_and_download_three_formats(client_for, users):
    c = client_for("donghu")
    r = c.post("/reports/new/", {"kind": "summary", "year": "2026", "half": "1"})
    assert r.status_code == 302
    report = Report.objects.latest("pk")
    assert report.status == Report.Status.DONE, report.error
    assert report.created_by == users["donghu"]
    f = collect_summary({"year": 2026, "half": "1"}, users["donghu"])
    e, cm, eia = f["enforcement"], f["complaints"], f["eia"]
    expected = [
        "2026年上半年环境保护工作总结",
        f"共组织执法检查{e['inspections']}次，出动环境监察人员{e['staff_times']}人次",
        f"检查污染企业{e['enterprises_inspected']}家",
        f"共受理各类环境信访{cm['total']}件，其中来电（12369）{cm['phone']}件",
        f"{f['area']}共预审各类建设项目{eia['eia_reviewed']}个，其中否决项目{eia['eia_rejected']}个",
    ]
    texts = {}
    for fmt, reader in (("pdf", pdf_text), ("docx", docx_text), ("xlsx", xlsx_text)):
        resp = c.get(f"/reports/{report.pk}/{fmt}/")
        assert resp.status_code == 200
        texts[fmt] = reader(b"".join(resp.streaming_content))
        for s in expected:
            assert s in texts[fmt], (fmt, s)
    # the page shows it and the list archives it
    assert "summary" in c.get("/reports/").content.decode() or report.title in c.get("/reports/").content.decode()
    # other county's staff cannot see it
    assert client_for("xishan").get(f"/reports/{report.pk}/").status_code == 404


def test_bad_parameters_create_nothing(client_for):
    c = client_for("donghu")
    n = Report.objects.count()
    r = c.post("/reports/new/", {"kind": "summary", "year": "abc", "half": "1"}, follow=True)
    assert "year" in r.content.decode()
    r = c.post("/reports/new/", {"kind": "enforcement_monthly", "year": "2026", "month": "13"}, follow=True)
    assert "month" in r.content.decode()
    r = c.post("/reports/new/", {"kind": "nope"}, follow=True)
    assert Report.objects.count() == n
    with pytest.raises(ParamError):
        services.create("summary", {"year": "2026", "half": "3"}, None)


def test_every_kind_renders(users):
    for key, kind in KINDS.items():
        params = {"year": 2026, "half": "1", "month": 6, "day": "2026-06-29"}
        doc = kind.build(services.content_figures(kind.collect(params, users["admin"])))
        assert doc.title and doc.blocks
        assert content.to_xlsx(doc)[:2] == b"PK"
        assert content.to_docx(doc)[:2] == b"PK"


def test_monthly_enforcement_matches_database(users):
    user = users["admin"]
    f = KINDS["enforcement_monthly"].collect({"year": 2026, "month": 6}, user)
    n = em.Inspection.objects.for_user(user).filter(status="done", inspected_on__range=(datetime.date(2026, 6, 1), END)).count()
    assert f["enforcement"]["inspections"] == n
    doc = KINDS["enforcement_monthly"].build(f)
    assert f"本月共开展执法检查{n}次" in doc.text()


def test_management_command(users, capsys):
    call_command("report", "enforcement_monthly", "year=2026", "month=5", "--user", "leader")
    out = capsys.readouterr().out
    assert out.count("enforcement_monthly") == 3
    r = Report.objects.latest("pk")
    assert r.status == "done" and r.pdf and r.docx and r.xlsx


def test_dashboard_drill_down(client_for):
    c = client_for("donghu")
    r = c.get("/reports/dashboard/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="enterprises"' in body
    assert [row[0].code for row in r.context["county_rows"]] == ["990101"]
    # drilling into a region outside the reach falls back to the user's own top region
    r = c.get("/reports/dashboard/?region=990102")
    assert "西山" not in r.context["current"].name
    assert client_for("leader").get("/reports/dashboard/").status_code == 200
    # a child region is reachable
    child = r.context["children"][0][0] if r.context["children"] else None
    if child:
        assert c.get(f"/reports/dashboard/?region={child.code}").context["current"] == child
    assert client_for("ent001").get("/reports/dashboard/").status_code == 403
