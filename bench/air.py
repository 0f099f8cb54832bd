"""Speed of the air-quality computations (issue #9): prints figures, asserts nothing.

    .venv/bin/python bench/air.py [--stations 300] [--days 365] [--standard 2026]

Synthetic data shaped like an HJ 212 feed (µg/m³ integers, CO mg/m³ with one
decimal, ~1 % missing hours) for N stations over a year, then times:

1. one IAQI (int and float input);
2. the hourly (real-time) AQI of every station-hour (300 × 8760 = 2.6 M);
3. daily values (GB 3095 Table 4 validity, O3 daily max 8-h) and the daily AQI
   of every station-day;
4. the monthly ranking: period statistics (means, CO p95, O3 p90) of every
   station, composite index, change rate versus the same month of the
   previous year and the ranking, for each of the 12 months.

Data generation is not timed.
"""

from __future__ import annotations

import argparse
import datetime
import math
import random
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qingshan.standards import air_alerts, hj633, hj663  # noqa: E402

POLS = ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")
HOURLY_KEYS = {p: hj633.indicator_key(p, "hourly") for p in POLS}


def station_year(rng: random.Random, days: int) -> dict[str, list]:
    """Hourly concentrations of one station (index 0 = hour ending 01:00 of day 0)."""
    base = {"SO2": 8, "NO2": 25, "PM10": 50, "CO": 0.7, "O3": 60, "PM2.5": 28}
    scale = {p: rng.uniform(0.6, 1.5) for p in POLS}
    out = {p: [] for p in POLS}
    weather = 1.0
    for d in range(days):
        weather = max(0.3, min(3.5, 0.7 * weather + 0.3 * rng.lognormvariate(0, 0.45)))
        season = 1.0 + 0.4 * math.cos(2 * math.pi * d / 365)
        for h in range(24):
            diurnal = 1.0 + 0.25 * math.sin(2 * math.pi * (h - 8) / 24)
            for p in POLS:
                if rng.random() < 0.01:
                    out[p].append(None)
                    continue
                if p == "O3":
                    x = base[p] * scale[p] * (2.2 - season) * (1.0 + 0.8 * math.sin(2 * math.pi * (h - 9) / 24))
                else:
                    x = base[p] * scale[p] * weather * season * diurnal * rng.uniform(0.8, 1.2)
                out[p].append(round(max(x, 0.1), 1) if p == "CO" else max(int(x), 0))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stations", type=int, default=300)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--standard", choices=hj633.STANDARDS, default="2026")
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args(argv)
    rules = hj633.rules_for(args.standard)
    rng = random.Random(args.seed)
    year = 2025 if args.standard == "2012" else 2027
    start = datetime.date(year, 1, 1)
    print(f"air bench: {args.stations} stations × {args.days} days, HJ 633—{rules.code}, Python {sys.version.split()[0]}")

    n = 200_000
    for label, key, value in (("int", "PM2.5_24h", 87), ("float", "PM2.5_24h", 87.3), ("CO float", "CO_24h", 1.37)):
        t = timeit.timeit(lambda: hj633.iaqi(key, value, rules), number=n) / n
        print(f"  iaqi(), one {label + ' value:':<16} {t * 1e6:6.2f} µs")

    t_gen = t_hourly = t_daily = 0.0
    hourly_records = station_days = 0
    worst = 0
    daily_series: list[dict[str, dict[datetime.date, object]]] = []
    day_aqis: list[list[int | None]] = []
    for _ in range(args.stations):
        t0 = time.perf_counter()
        data = station_year(rng, args.days)
        t1 = time.perf_counter()
        t_gen += t1 - t0
        cols = [data[p] for p in POLS]
        keys = [HOURLY_KEYS[p] for p in POLS]
        aqi = hj633.aqi
        for row in zip(*cols):
            r = aqi(dict(zip(keys, row)), rules, "hourly")
            if r.aqi is not None and r.aqi > worst:
                worst = r.aqi
        hourly_records += len(cols[0])
        t2 = time.perf_counter()
        t_hourly += t2 - t1
        series = {p: {} for p in POLS}
        aqis = []
        for d in range(args.days):
            day = start + datetime.timedelta(days=d)
            hours = {p: data[p][d * 24 : d * 24 + 24] for p in POLS}
            dv = hj663.daily_values(hours)
            r = hj633.daily_aqi(hj663.aqi_input(dv), rules)
            aqis.append(r.aqi)
            for p in POLS:
                key = "O3_8h" if p == "O3" else hj633.indicator_key(p, "daily")
                series[p][day] = dv[key].usable
            station_days += 1
        t_daily += time.perf_counter() - t2
        daily_series.append(series)
        day_aqis.append(aqis)

    print(f"  data generation (not counted):       {t_gen:6.1f} s")
    print(
        f"  hourly AQI, {hourly_records:,} records:   {t_hourly:6.1f} s"
        f"  ({t_hourly / hourly_records * 1e6:.1f} µs/record; max AQI {worst})"
    )
    print(
        f"  daily values + daily AQI, {station_days:,} station-days: {t_daily:6.1f} s"
        f"  ({t_daily / station_days * 1e6:.0f} µs/station-day)"
    )

    # monthly ranking with change rate; last year's month = the same data scaled (synthetic)
    months = sorted({(d.year, d.month) for d in daily_series[0]["SO2"]})
    basis = hj663.composite_basis_for(start)
    t3 = time.perf_counter()
    ranked_months = 0
    for y, m in months:
        m_start = datetime.date(y, m, 1)
        m_end = datetime.date(y, m, 28)
        while (m_end + datetime.timedelta(days=1)).month == m:
            m_end += datetime.timedelta(days=1)
        if any(d not in daily_series[0]["SO2"] for d in (m_start, m_end)):
            continue
        indices, changes, meets = {}, {}, {}
        for i, series in enumerate(daily_series):
            stats = hj663.period_statistics(series, m_start, m_end)
            if not all(s.valid for s in stats.values()):
                indices[i] = None
                continue
            now = hj663.composite_index(stats, basis)
            before = hj663.composite_index({p: s.value * 11 / 10 for p, s in stats.items()}, basis)
            indices[i] = now
            changes[i] = hj663.change_rate(now, before)
            meets[i] = all(hj663.meets_standard(stats, m_end).values())
        ranking = air_alerts.rank_by_composite_index(indices)
        air_alerts.rank_by_change_rate(changes, meets_standard=meets)
        ranked_months += 1
    t_rank = time.perf_counter() - t3
    if ranked_months:
        print(
            f"  monthly ranking ({args.stations} stations: statistics, composite index, change rate, ranks): "
            f"{t_rank / ranked_months * 1000:6.0f} ms/month ({ranked_months} months, {len(ranking.ranked)} ranked in the last)"
        )

    t4 = time.perf_counter()
    summaries = [hj663.days_summary(a) for a in day_aqis]
    alerts = [air_alerts.evaluate_alert(a[-3:], "2024").level for a in day_aqis]
    t_days = time.perf_counter() - t4
    print(
        f"  days summary + alert level, {args.stations} stations: {t_days * 1000:6.0f} ms"
        f"  (mean good-days ratio {sum(s.good_percent for s in summaries) / len(summaries):.1f} %,"
        f" {sum(1 for a in alerts if a)} stations on alert)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
