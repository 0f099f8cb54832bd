"""The statistics a bureau reports (inspections, staff-times, cases, penalties, complaints) per county and period."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from qingshan.core.importexport import sheet_title
from qingshan.registry.models import Region

from . import models as m


def county_of_path(path: str, counties: dict[str, Region]):
    parts = path.strip("/").split("/")
    return counties.get(parts[2]) if len(parts) >= 3 else None


def compute(user, start, end):
    """Rows per county (in the user's reach) plus a total row, and penalty totals by category."""
    from qingshan.complaints.models import Complaint

    counties = {r.code: r for r in Region.objects.for_user(user).filter(level=Region.Level.COUNTY)}
    if not counties:  # a grid officer: the county above their reach
        counties = {}
    rows: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: 0))

    def key(path):
        c = county_of_path(path, counties)
        return c.code if c else "_other"

    insp = m.Inspection.objects.for_user(user).filter(status=m.Inspection.Status.DONE, inspected_on__range=(start, end))
    for path, n, staff, problems in (insp.order_by().values_list("enterprise__region__path")
                                     .annotate(n=Count("pk"), s=Sum("staff_count"), p=Count("pk", filter=_q(problem_found=True)))):
        r = rows[key(path)]
        r["inspections"] += n
        r["staff_times"] += staff or 0
        r["problems"] += problems
    for path, _ent in insp.order_by().values_list("enterprise__region__path", "enterprise_id").distinct():
        rows[key(path)]["enterprises"] += 1
    rect = m.Rectification.objects.for_user(user).filter(rectified_on__range=(start, end))
    for (path,) in rect.values_list("enterprise__region__path"):
        rows[key(path)]["rectified"] += 1
    cases = m.Case.objects.for_user(user).filter(opened_on__range=(start, end))
    for (path,) in cases.values_list("region__path"):
        rows[key(path)]["cases"] += 1
    measures = m.Measure.objects.for_user(user).filter(decided_on__range=(start, end))
    by_category: dict[str, dict] = defaultdict(lambda: {"count": 0, "amount": Decimal("0")})
    for path, cat, amount in measures.values_list("case__region__path", "category", "amount"):
        r = rows[key(path)]
        r["penalties"] += 1
        r["penalty_amount"] += amount or Decimal("0")
        by_category[cat]["count"] += 1
        by_category[cat]["amount"] += amount or Decimal("0")
    comps = Complaint.objects.for_user(user).filter(received_on__range=(start, end))
    by_channel: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: 0))
    for path, channel, status, replied, closed, due in comps.values_list(
            "region__path", "channel", "status", "replied_on", "closed_on", "handle_due"):
        handled = status in ("replied", "closed")
        done = replied or closed
        on_time = bool(handled and done and due and done <= due)
        for r in (rows[key(path)], by_channel[channel]):
            r["complaints"] += 1
            r["complaints_handled"] += int(handled)
            r["complaints_closed"] += int(status == "closed")
            r["complaints_on_time"] += int(on_time)
    table = []
    total = defaultdict(lambda: 0)
    for code, county in sorted(counties.items()):
        table.append((county.name, _rates(rows.get(code, {}))))
    if "_other" in rows:
        table.append((_("city-wide / other"), _rates(rows["_other"])))
    for _name, r in table:
        for k, v in r.items():
            if not k.endswith("_rate"):
                total[k] += v
    channels = [(ch, _rates(by_channel[ch])) for ch in by_channel]
    return {"rows": table, "total": _rates(total), "by_category": dict(by_category), "by_channel": channels}


def _q(**kw):
    from django.db.models import Q

    return Q(**kw)


FIELDS = ["inspections", "staff_times", "enterprises", "problems", "rectified", "cases", "penalties", "penalty_amount",
          "complaints", "complaints_handled", "complaints_closed", "complaints_on_time"]


def _rates(r) -> dict:
    out = {f: r.get(f, 0) for f in FIELDS}
    n = out["complaints"]
    out["handled_rate"] = round(100 * out["complaints_handled"] / n, 1) if n else None
    out["closed_rate"] = round(100 * out["complaints_closed"] / n, 1) if n else None
    out["on_time_rate"] = round(100 * out["complaints_on_time"] / out["complaints_handled"], 1) if out["complaints_handled"] else None
    return out


def labels():
    return {
        "inspections": _("Inspections"), "staff_times": _("Staff-times dispatched"), "enterprises": _("Enterprises inspected"),
        "problems": _("Problems found"), "rectified": _("Problems rectified"), "cases": _("Cases opened"),
        "penalties": _("Penalty decisions"), "penalty_amount": _("Penalty amount (yuan)"), "complaints": _("Complaints"),
        "complaints_handled": _("Handled"), "complaints_closed": _("Closed"), "complaints_on_time": _("Handled on time"),
        "handled_rate": _("Handled %"), "closed_rate": _("Closed %"), "on_time_rate": _("On time %"),
    }


def workbook(data, start, end) -> bytes:
    from openpyxl import Workbook

    from qingshan.complaints.models import Channel

    lab = labels()
    cols = FIELDS + ["handled_rate", "closed_rate", "on_time_rate"]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("By county"))
    ws.append([_("Period"), f"{start} – {end}"])
    ws.append([_("County")] + [str(lab[c]) for c in cols])
    for name, r in data["rows"]:
        ws.append([str(name)] + [_cell(r[c]) for c in cols])
    ws.append([_("Total")] + [_cell(data["total"][c]) for c in cols])
    ws2 = wb.create_sheet(sheet_title(_("Penalties by category")))
    ws2.append([_("Category"), _("Decisions"), _("Amount (yuan)")])
    for cat, v in sorted(data["by_category"].items()):
        ws2.append([str(m.MeasureCategory(cat).label) if cat in m.MeasureCategory.values else cat, v["count"], float(v["amount"])])
    ws3 = wb.create_sheet(sheet_title(_("Complaints by channel")))
    ws3.append([_("Channel"), str(lab["complaints"]), str(lab["complaints_handled"]), str(lab["complaints_closed"]),
                str(lab["handled_rate"]), str(lab["closed_rate"]), str(lab["on_time_rate"])])
    for ch, r in data["by_channel"]:
        label = str(Channel(ch).label) if ch in Channel.values else ch
        ws3.append([label, r["complaints"], r["complaints_handled"], r["complaints_closed"], r["handled_rate"],
                    r["closed_rate"], r["on_time_rate"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v):
    return float(v) if isinstance(v, Decimal) else v
