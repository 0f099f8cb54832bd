"""Built-in readers of other apps' data for the enterprise record.

Used for an app that does not provide its own ``credit_facts`` module (see
:mod:`qingshan.credit.record`). Each reader returns events in the record format
of docs/credit.md; an app that is not installed contributes nothing.
"""

from __future__ import annotations

import datetime

from django.apps import apps

#: enforcement.ViolationType → credit rule-set case category (docs/credit.md)
CASE_CATEGORY = {
    "exceedance": "exceedance",
    "no_permit": "no_permit",
    "evasion": "hidden_discharge",
    "facility": "facility",
    "eia": "no_eia",
    "hazardous_waste": "illegal_hazardous_waste",
    "noise": "noise",
    "other": "other",
}

#: enforcement.MeasureCategory → record measure
MEASURE = {
    "general_penalty": "fine",
    "daily_penalty": "daily_penalty",
    "seizure": "seizure",
    "production_limit": "production_limit",
    "detention_referral": "detention_referral",
    "criminal_referral": "criminal_referral",
}


def enforcement_events(enterprise, start: datetime.date, until: datetime.date) -> list[dict]:
    """Decided cases (category, measures, fines, paid) and rectifications (open / overdue / done, listed)."""
    if not apps.is_installed("qingshan.enforcement"):
        return []
    Case = apps.get_model("enforcement", "Case")
    Rectification = apps.get_model("enforcement", "Rectification")
    events = []
    cases = (Case.objects.filter(enterprise=enterprise, decided_on__isnull=False, decided_on__gte=start, decided_on__lte=until)
             .prefetch_related("measures").order_by("decided_on", "pk"))
    for case in cases:
        measures, fines, unpaid = [], 0, False
        for m in case.measures.all():
            name = MEASURE.get(m.category)
            if name and not (name == "fine" and not m.amount):
                measures.append(name)
            if m.correction_order_on:
                measures.append("order_to_correct")
            if m.amount:
                fines += m.amount
                unpaid = unpaid or m.paid_on is None or m.paid_on > until
        events.append({
            "id": f"case-{case.number}", "type": "case", "date": case.decided_on.isoformat(),
            "category": CASE_CATEGORY.get(case.violation_type, case.violation_type),
            "penalty_amount": float(fines), "measures": sorted(set(measures)), "penalty_paid": not unpaid,
        })
    for r in Rectification.objects.filter(enterprise=enterprise, ordered_on__gte=start, ordered_on__lte=until).order_by("ordered_on", "pk"):
        done_on = r.rectified_on or r.closed_out_on
        if r.status != "open" and (done_on is None or done_on <= until):
            status = "done"
        elif r.due_on and r.due_on < until:
            status = "overdue"
        else:
            status = "open"
        events.append({"id": f"rect-{r.pk}", "type": "rectification", "date": r.ordered_on.isoformat(), "status": status,
                       "listed_supervision": bool(r.listed_supervision)})
    return events


def complaints_events(enterprise, start: datetime.date, until: datetime.date) -> list[dict]:
    """Complaints about the enterprise; verified = a case was opened from the complaint."""
    if not apps.is_installed("qingshan.complaints"):
        return []
    Complaint = apps.get_model("complaints", "Complaint")
    verified_ids = set()
    if apps.is_installed("qingshan.enforcement"):
        Case = apps.get_model("enforcement", "Case")
        verified_ids = set(Case.objects.filter(enterprise=enterprise, source_kind="complaint").values_list("source_id", flat=True))
    events = []
    qs = Complaint.objects.filter(enterprise=enterprise, received_on__gte=start, received_on__lte=until).exclude(status="rejected")
    for c in qs.order_by("received_on", "pk"):
        events.append({"id": f"complaint-{c.ticket}", "type": "complaint", "date": c.received_on.isoformat(),
                       "verified": c.pk in verified_ids})
    return events


BUILT_IN = {"enforcement": enforcement_events, "complaints": complaints_events}
