"""Open API of the water app, mounted at /api/water/: section classes are public data (no login)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from . import services
from .models import Section

router = Router(tags=["water"])


def _limit(request):
    from qingshan.api import ratelimit

    limit, window = ratelimit.API_LIMIT
    if not ratelimit.hit(f"api:ip{ratelimit.client_ip(request)}", limit, window):
        raise HttpError(429, "Too many requests")


class SectionOut(Schema):
    code: str
    name: str
    water_body: str
    county: str
    level: str
    target_class: str
    drinking_source: bool
    lon: float | None = None
    lat: float | None = None


class ClassOut(Schema):
    section: str
    name: str
    period: str
    water_class: str | None
    status: str | None
    meets_target: bool | None
    main_pollutants: list[str]
    cwqi: float | None


class RankOut(Schema):
    county: str
    rank: int
    cwqi: float
    change_percent: float | None
    change_rank: int | None


def _period(period: str, year: int, month: int):
    if period not in ("month", "quarter", "year") or not 1 <= month <= 12:
        raise HttpError(400, "period must be month, quarter or year and month 1..12")
    return services.period_of_month(period, year, month)


@router.get("/sections", response=list[SectionOut])
def sections(request):
    """Active monitoring sections (断面) with their target class."""
    _limit(request)
    qs = Section.objects.filter(active=True).select_related("water_body", "region").order_by("code")
    return [SectionOut(code=s.code, name=s.name, water_body=s.water_body.name, county=s.region.name, level=s.level,
                       target_class=s.target.label, drinking_source=s.is_drinking_source, lon=s.lon, lat=s.lat) for s in qs]


@router.get("/classes", response=list[ClassOut])
def classes(request, year: int, month: int = 12, period: str = "month"):
    """Section classes (GB 3838-2002) of a month, quarter or year to date."""
    _limit(request)
    p, y, n = _period(period, year, month)
    out = []
    for a in services.section_classes(p, y, n):
        wc = a.wclass
        out.append(ClassOut(section=a.section.code, name=a.section.name, period=a.period_label,
                            water_class=wc.label if wc else None, status=wc.status.label if wc else a.condition,
                            meets_target=a.meets_target, main_pollutants=a.main_pollutants, cwqi=a.cwqi))
    return out


@router.get("/ranking", response=list[RankOut])
def ranking(request, year: int, month: int, period: str = "month"):
    """County ranking by CWQI (rank 1 cleanest), with the change against the same period last year."""
    _limit(request)
    if period not in ("month", "year") or not 1 <= month <= 12:
        raise HttpError(400, "period must be month or year and month 1..12")
    return [RankOut(county=r["county"].name, rank=r["rank"], cwqi=float(r["cwqi"]),
                    change_percent=float(r["change"]) if r["change"] is not None else None, change_rank=r["change_rank"])
            for r in services.county_cwqi_ranking(year, month, period=period)]
