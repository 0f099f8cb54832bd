"""Facts the credit app collects from monitoring (docs/credit.md record format).

* ``events``: one ``exceedance_day`` event per outlet, pollutant and local day
  with an exceedance alarm (valid hourly/daily mean over the permit limit);
* ``metrics``: ``effective_transmission_rate`` (%) of the enterprise's loggers;
* ``tax_outlet_months``: monthly emission (kg) per outlet and pollutant for the
  environmental protection tax, where the logger reports hourly flow: the
  emission of an hour is the pollutant's ``Cou`` (kg) when the logger sends it,
  else Avg × the hour's flow volume (flow factor ``Cou``, m³; mg/m³ × m³ × 10⁻⁶
  for air, mg/L × m³ × 10⁻³ for water), summed over the month.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from .services import _period, enterprise_transmission_rate

FLOW = {"air": "a00000", "water": "w00000"}


def events(enterprise, start, end) -> list[dict]:
    from .models import Alarm

    start_d, end_d = start, end
    out, seen = [], set()
    qs = (Alarm.objects.filter(enterprise=enterprise, kind=Alarm.Kind.EXCEEDANCE)
          .select_related("outlet").order_by("started_at"))
    for alarm in qs:
        first = timezone.localtime(alarm.started_at).date()
        last = timezone.localtime(alarm.ended_at or alarm.last_seen_at).date()
        day = max(first, start_d)
        while day <= min(last, end_d):
            outlet = alarm.outlet.code if alarm.outlet_id else alarm.logger.mn
            key = (outlet, alarm.factor, day)
            if key not in seen:
                seen.add(key)
                out.append({"id": f"alarm-{alarm.pk}-{day:%Y%m%d}", "type": "exceedance_day", "date": day,
                            "outlet": outlet, "pollutant": alarm.factor_name or alarm.factor})
            day += datetime.timedelta(days=1)
    return out


def metrics(enterprise, start, end) -> dict:
    rate = enterprise_transmission_rate(enterprise, start, end)
    return {} if rate is None else {"effective_transmission_rate": round(rate / 100.0, 4)}


def tax_outlet_months(enterprise, month) -> list[dict]:
    """Monthly emission per outlet/pollutant from hourly values; outlets without flow data are skipped."""
    from qingshan.registry.models import DataLogger, PermitLimit

    from .store import get_store

    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    start, end = _period(start, end - datetime.timedelta(days=1))
    tz = timezone.get_current_timezone()
    t0 = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
    t1 = datetime.datetime.combine(end, datetime.time(), tzinfo=tz)
    # inlet loggers measure before treatment: not emissions
    loggers = list(DataLogger.objects.filter(enterprise=enterprise, outlet__isnull=False)
                   .exclude(monitoring_role__position="inlet").select_related("outlet").order_by("pk"))
    if not loggers:
        return []
    limits = {(lim.outlet_id, lim.factor_code): float(lim.concentration_limit)
              for lim in PermitLimit.objects.filter(permit__enterprise=enterprise, outlet__isnull=False,
                                                    concentration_limit__isnull=False)}
    rows = get_store().read([lg.pk for lg in loggers], kind="hour", start=t0, end=t1)
    series = defaultdict(dict)
    for m in rows:
        series[(m.logger_id, m.factor)][m.time] = m
    out = []
    done = set()
    for lg in loggers:
        if lg.outlet_id in done:  # one logger per outlet (a second one would count the emission twice)
            continue
        medium = lg.outlet.medium
        flow = series.get((lg.pk, FLOW[medium]), {})
        if not flow:
            continue
        pollutants = {}
        for (logger_id, factor), values in series.items():
            if logger_id != lg.pk or factor == FLOW[medium] or (lg.outlet_id, factor) not in limits:
                continue
            kg, concs, daily = 0.0, [], defaultdict(list)
            for t, m in values.items():
                if m.value is None:
                    continue
                concs.append(m.value)
                daily[timezone.localtime(t).date()].append(m.value)
                f = flow.get(t)
                volume = f.cou if f is not None else None  # m3 discharged in the hour
                if m.cou is not None:  # the logger's own emission amount (kg)
                    kg += m.cou
                elif volume is not None:
                    # air: mg/m3 × m3 → kg (1e-6); water: mg/L × m3 → kg (1e-3)
                    kg += m.value * volume * (1e-6 if medium == "air" else 1e-3)
            if not concs:
                continue
            peak = max(concs) if medium == "air" else max(sum(v) / len(v) for v in daily.values())
            pollutants[_tax_name(factor, enterprise)] = {
                "emission_kg": round(kg, 3), "concentration": round(sum(concs) / len(concs), 4),
                "max_concentration": round(peak, 4), "standard": limits[(lg.outlet_id, factor)],
            }
        if pollutants:
            done.add(lg.outlet_id)
            out.append({"outlet": lg.outlet.code, "medium": medium, "pollutants": pollutants})
    return out


def _tax_name(factor: str, enterprise) -> str:
    """The envtax item of a factor; particulates are 烟尘 for combustion (power/heat, 44xx), else 一般性粉尘."""
    from .services import factor_name

    if factor == "a34013":
        return "烟尘" if str(enterprise.industry_id).startswith("44") else "一般性粉尘"
    return factor_name(factor)
