"""The enterprise record collector: other apps' data → the plain input of
:func:`qingshan.standards.credit_rating.evaluate`.

Sources, each optional (an app that is absent or exposes nothing adds nothing):

* the built-in readers of :mod:`qingshan.credit.adapters` (enforcement cases
  and rectifications, complaints), unless the app provides its own module;
* every Qingshan app may provide a module ``<app>/credit_facts.py`` with
  ``events(enterprise, start, end) -> list[dict]`` (events in the record format
  of docs/credit.md: ``id``, ``type``, ``date`` and the type's fields) and/or
  ``metrics(enterprise, start, end) -> dict`` (e.g. monitoring:
  ``effective_transmission_rate``, ``monitoring_pass_rate``);
* staff-entered :class:`~qingshan.credit.models.CreditFact` rows;
* months with an :class:`~qingshan.credit.models.EmissionReport` whose highest
  hourly/daily mean exceeded the standard become ``exceedance_day`` events
  (one per outlet, pollutant and month) when no app supplies exceedance days.

The collector never invents values: a metric nobody supplies is left out
(the rule set then skips it, docs/credit.md).
"""

from __future__ import annotations

import datetime

from qingshan.core.navigation import app_modules

from .adapters import BUILT_IN


def _providers(name: str):
    for label, module in app_modules("credit_facts"):
        func = getattr(module, name, None)
        if callable(func):
            yield label, func


def _plain(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    return value


def enterprise_record(enterprise, start: datetime.date, end: datetime.date, *, as_of: datetime.date | None = None) -> dict:
    """The record of ``enterprise`` for ``start``–``end`` (``as_of`` defaults to ``end``)."""
    return collect_record(enterprise, start, end, as_of=as_of)[0]


def collect_record(enterprise, start, end, *, as_of=None) -> tuple[dict, list[str]]:
    """The record and a list of the sources that contributed (for the rating's explanation)."""
    from .models import CreditFact, EmissionReport

    events: list[dict] = []
    metrics: dict = {}
    sources: list[str] = []
    until = as_of or end
    providers = dict(_providers("events"))
    for label, func in BUILT_IN.items():
        providers.setdefault(label, func)
    for label, func in providers.items():
        got = list(func(enterprise, start, until) or [])
        for e in got:
            e = {k: _plain(v) for k, v in dict(e).items()}
            e["id"] = f"{label}:{e.get('id') or len(events) + 1}"
            events.append(e)
        if got:
            sources.append(f"{label}: {len(got)} event(s)")
    for label, func in _providers("metrics"):
        got = dict(func(enterprise, start, end) or {})
        metrics.update({k: _plain(v) for k, v in got.items() if v is not None})
        if got:
            sources.append(f"{label}: {', '.join(sorted(got))}")

    facts = CreditFact.objects.filter(enterprise=enterprise, date__gte=start, date__lte=until).order_by("date", "pk")
    n_facts = 0
    for fact in facts:
        n_facts += 1
        if fact.kind == CreditFact.Kind.METRIC:
            metrics[fact.metric] = _plain(fact.value)
        else:
            e = {k: _plain(v) for k, v in (fact.attributes or {}).items() if k not in ("id", "type", "date")}
            e.update({"id": f"credit:fact-{fact.pk}", "type": fact.event_type, "date": fact.date.isoformat()})
            events.append(e)
    if n_facts:
        sources.append(f"credit facts: {n_facts}")

    if not any(e["type"] == "exceedance_day" for e in events):
        reports = EmissionReport.objects.filter(
            enterprise=enterprise, month__gte=start.replace(day=1), month__lte=until,
            max_concentration__isnull=False, standard__isnull=False,
        ).select_related("outlet")
        n = 0
        for r in reports:
            if r.max_concentration > r.standard:
                n += 1
                events.append({"id": f"credit:report-{r.pk}", "type": "exceedance_day", "date": r.month.isoformat(),
                               "outlet": r.outlet.code, "pollutant": r.pollutant})
        if n:
            sources.append(f"emission reports: {n} exceedance month(s)")

    return {
        "enterprise": enterprise.uscc,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "as_of": until.isoformat(),
        "metrics": metrics,
        "events": events,
    }, sources


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


