"""Which loggers the simulator plays: the registered ones, or synthetic ones it registers.

:func:`load_loggers` reads :class:`~qingshan.registry.models.DataLogger`
rows (MN, password, system code, protocol, factors) with the hourly/daily
concentration limits of their outlet's permit, so exceedances are
exceedances of the real limits. :func:`register_synthetic` creates N
loggers (each on its own enterprise, flue-gas outlet and permit with SO2,
NOx and dust limits) for benchmarks on an empty database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .profiles import AIR_FACTORS, WATER_FACTORS

SYNTHETIC_PREFIX = "SIMBENCH"


@dataclass
class LoggerSpec:
    mn: str
    password: str
    st: str = "31"
    protocol: str = "2017"
    factors: list[str] = field(default_factory=list)
    limits: dict[str, float] = field(default_factory=dict)  # factor -> concentration limit
    logger_id: int | None = None

    @property
    def medium(self) -> str:
        return "water" if self.st == "32" else "air"


def load_loggers(limit: int | None = None, mns: list[str] | None = None, prefix: str | None = None) -> list[LoggerSpec]:
    from qingshan.registry.models import DataLogger, PermitLimit

    qs = DataLogger.objects.filter(active=True).order_by("pk")
    if mns:
        qs = qs.filter(mn__in=mns)
    if prefix:
        qs = qs.filter(mn__startswith=prefix)
    if limit:
        qs = qs[:limit]
    rows = list(qs.values("pk", "mn", "password", "system_code", "protocol", "factors", "outlet_id", "kind"))
    outlet_ids = {r["outlet_id"] for r in rows if r["outlet_id"]}
    today = datetime.date.today()
    limits: dict[int, dict[str, float]] = {}
    for lim in (PermitLimit.objects.filter(outlet_id__in=outlet_ids, concentration_limit__isnull=False,
                                           permit__status="valid")
                .values("outlet_id", "factor_code", "concentration_limit", "permit__valid_to")):
        if lim["permit__valid_to"] and lim["permit__valid_to"] < today - datetime.timedelta(days=3650):
            continue
        limits.setdefault(lim["outlet_id"], {})[lim["factor_code"]] = float(lim["concentration_limit"])
    specs = []
    for r in rows:
        st = r["system_code"] or "31"
        factors = list(r["factors"] or []) or (WATER_FACTORS if st == "32" else AIR_FACTORS)
        specs.append(LoggerSpec(mn=r["mn"], password=r["password"] or "", st=st, protocol=r["protocol"] or "2017",
                                factors=factors, limits=limits.get(r["outlet_id"], {}), logger_id=r["pk"]))
    return specs


def register_synthetic(n: int, prefix: str = SYNTHETIC_PREFIX, water_share: float = 0.0) -> list[LoggerSpec]:
    """Register ``n`` synthetic loggers (idempotent: existing ones with the prefix are reused)."""
    from django.db import transaction

    from qingshan.registry import models as r
    from qingshan.standards import gb32100

    existing = {d.mn: d for d in r.DataLogger.objects.filter(mn__startswith=prefix)}
    wanted = [f"{prefix}{i:0{24 - len(prefix)}d}" for i in range(1, n + 1)]
    missing = [mn for mn in wanted if mn not in existing]
    if missing:
        with transaction.atomic():
            province, _ = r.Region.objects.get_or_create(
                code="980000", defaults=dict(name="基准测试省", level=r.Region.Level.PROVINCE))
            city, _ = r.Region.objects.get_or_create(
                code="980100", defaults=dict(name="基准测试市", level=r.Region.Level.CITY, parent=province))
            county, _ = r.Region.objects.get_or_create(
                code="980101", defaults=dict(name="基准测试区", level=r.Region.Level.COUNTY, parent=city))
            industry = r.Industry.objects.order_by("code").first()
            if industry is None:
                industry = r.Industry.objects.create(code="4411", name="火力发电", section="D")
            start = len(existing)
            ents = []
            for k, mn in enumerate(missing):
                org = f"{(start + k):09d}"
                ents.append(r.Enterprise(uscc=gb32100.make("9", "1", "980101", org), name=f"基准测试企业{mn[-8:]}",
                                         industry=industry, region=county, key_level="municipal"))
            r.Enterprise.objects.bulk_create(ents, batch_size=1000)
            ents = {e.uscc: e for e in r.Enterprise.objects.filter(uscc__in=[e.uscc for e in ents])}
            ent_list = [ents[e.uscc] for e in sorted(ents.values(), key=lambda e: e.uscc)]
            outlets, permits = [], []
            for k, (mn, ent) in enumerate(zip(missing, ent_list)):
                water = water_share and (k % max(1, round(1 / water_share)) == 0)
                outlets.append(r.Outlet(enterprise=ent, code="DW001" if water else "DA001",
                                        name="废水排放口" if water else "废气排放口", medium="water" if water else "air"))
                permits.append(r.Permit(enterprise=ent, number=f"{ent.uscc}001P", issued_on=datetime.date(2025, 1, 1),
                                        valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2030, 1, 1)))
            r.Outlet.objects.bulk_create(outlets, batch_size=1000)
            r.Permit.objects.bulk_create(permits, batch_size=1000)
            outlet_by_ent = {o.enterprise_id: o for o in r.Outlet.objects.filter(enterprise__in=ent_list)}
            permit_by_ent = {p.enterprise_id: p for p in r.Permit.objects.filter(enterprise__in=ent_list)}
            limits, loggers = [], []
            for mn, ent in zip(missing, ent_list):
                outlet = outlet_by_ent[ent.pk]
                water = outlet.medium == "water"
                spec_limits = ({"w01018": 60, "w21003": 8, "w21011": 1} if water
                               else {"a21026": 100, "a21002": 150, "a34013": 20})
                for code, value in spec_limits.items():
                    limits.append(r.PermitLimit(permit=permit_by_ent[ent.pk], outlet=outlet, factor_code=code,
                                                pollutant=code, concentration_limit=value,
                                                unit="mg/L" if water else "mg/m3",
                                                averaging="daily" if water else "hourly"))
                loggers.append(r.DataLogger(mn=mn, password="123456", kind="outlet", system_code="32" if water else "31",
                                            protocol="2017", region=county, enterprise=ent, outlet=outlet,
                                            factors=WATER_FACTORS if water else AIR_FACTORS))
            r.PermitLimit.objects.bulk_create(limits, batch_size=2000)
            r.DataLogger.objects.bulk_create(loggers, batch_size=1000)
    return [s for s in load_loggers(prefix=prefix) if s.mn in set(wanted)]
