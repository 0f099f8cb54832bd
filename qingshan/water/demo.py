"""Demo surface water for 青山市: rivers, a lake, reservoirs, sections and two years of monthly samples.

* The main river 青川河 runs through every county in code order, with a
  cross-boundary section at each county border (compensated under the local
  scheme modelled on 冀政办字〔2016〕169号) and an outflow section leaving the city
  (compensated quarterly under the Heze formula).
* An urban creek is 劣V and improving, the lake is eutrophic (TP), the reservoir
  that supplies drinking water exceeds the manganese limit in late summer.
* Two sections have an automatic station (HJ 212 ST=21) with daily values for
  the last weeks.
* Monthly manual samples for 24 months ending at ``ctx.today`` (small and full).

Deterministic from ``ctx.rng("water")``.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from qingshan.core.demo import DemoContext
from qingshan.registry.models import DataLogger, Region
from qingshan.standards import gb3838

from . import services
from .models import (
    CompensationAssignment,
    CompensationScheme,
    Sample,
    Section,
    ShareTarget,
    WaterBody,
)

MONTHS = 24
AUTO_DAYS = 30
AUTO_ITEMS = ["water_temperature", "pH", "DO", "CODMn", "NH3-N", "TP", "TN"]

#: (item, offset from the section level) by pollution profile; the main pollutants sit at 0
PROFILES = {
    "clean": {"DO": -0.4, "CODMn": -0.2, "COD": -0.5, "BOD5": -0.6, "NH3-N": -0.1, "TP": 0.0},
    "organic": {"DO": -0.5, "CODMn": -0.3, "COD": -0.1, "BOD5": -0.2, "NH3-N": 0.0, "TP": -0.2},
    "nutrient": {"DO": -0.8, "CODMn": -0.5, "COD": -0.3, "BOD5": -0.6, "NH3-N": -0.2, "TP": 0.0},
    "lake": {"DO": -0.9, "CODMn": -0.3, "COD": -0.4, "BOD5": -0.7, "NH3-N": -1.2, "TP": 0.0},
}


def _value_at(key: str, level: float, waterbody: str) -> float:
    """A concentration sitting at ``level`` on the class scale (3.5 = halfway between the III and IV limits)."""
    limits = [float(x) for x in gb3838.TABLE1[key].limits_for(waterbody)]
    pts = [(0.0, limits[0] * (1.35 if key == "DO" else 0.35))] + [(i + 1.0, lim) for i, lim in enumerate(limits)]
    pts += [(6.0, limits[4] * (0.5 if key == "DO" else 1.6)), (7.5, limits[4] * (0.3 if key == "DO" else 2.6))]
    level = max(0.0, min(7.5, level))
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 <= level <= x1:
            return y0 + (y1 - y0) * (level - x0) / (x1 - x0)
    return pts[-1][1]


def _round(key: str, v: float) -> float:
    places = gb3838.EVALUATION_DECIMALS.get(key, 3) + 1
    return round(v, places)


def _sample_values(rng, sec: dict, level: float, day: datetime.date, *, items=None) -> dict:
    wb = sec["wb"]
    season = math.sin(2 * math.pi * (day.timetuple().tm_yday - 105) / 365)  # +1 mid-July, −1 mid-January
    values = {}
    temp = 17 + 11 * season + rng.uniform(-1.5, 1.5)
    values["water_temperature"] = round(temp, 1)
    values["pH"] = round(rng.uniform(7.0, 8.2) + (0.3 if sec["profile"] == "lake" and season > 0 else 0), 2)
    for key, off in PROFILES[sec["profile"]].items():
        lv = level + off + rng.gauss(0, 0.25)
        if key == "DO":
            lv += 0.5 * season  # warm water holds less oxygen
        elif key == "NH3-N":
            lv -= 0.4 * season  # winter ammonia
        elif key == "TP" and sec["profile"] in ("lake", "nutrient"):
            lv += 0.3 * season  # summer phosphorus
        values[key] = _round(key, _value_at(key, lv, wb) * rng.uniform(0.95, 1.05))
    values["TN"] = _round("TN", max(0.3, values["NH3-N"] * rng.uniform(1.6, 2.6) + rng.uniform(0.2, 0.8)))
    if items is None:
        values.update({
            "Cu": _round("Cu", rng.uniform(0.001, 0.008)), "Zn": _round("Zn", rng.uniform(0.005, 0.04)),
            "F": _round("F", rng.uniform(0.15, 0.6)), "Se": "0.0004L", "As": _round("As", rng.uniform(0.0005, 0.004)),
            "Hg": "0.00004L", "Cd": "0.0001L", "Cr6": "0.004L", "Pb": "0.001L" if level < 4 else _round("Pb", rng.uniform(0.001, 0.008)),
            "CN": "0.004L", "phenol": "0.0003L" if level < 4 else _round("phenol", rng.uniform(0.0005, 0.003)),
            "petroleum": _round("petroleum", rng.uniform(0.01, 0.04)), "LAS": "0.05L" if level < 4 else _round("LAS", rng.uniform(0.05, 0.18)),
            "S2-": "0.005L", "fecal_coliform": int(_value_at("fecal_coliform", level - 0.5, wb) * rng.uniform(0.6, 1.2)),
        })
        if sec.get("drinking"):
            values.update({
                "sulfate": round(rng.uniform(15, 60), 1), "chloride": round(rng.uniform(8, 30), 1),
                "nitrate": round(rng.uniform(0.4, 2.2), 2), "Fe": round(rng.uniform(0.04, 0.22), 3),
                "Mn": round(rng.uniform(0.11, 0.19) if sec.get("mn_summer") and day.month in (8, 9) else rng.uniform(0.01, 0.07), 3),
            })
    else:
        values = {k: v for k, v in values.items() if k in items}
    return values


def _layout(counties, full: bool):
    """Water bodies and sections as plain dicts (positions follow the county boxes)."""
    def box(c):
        b = c.boundary
        return b[0][0], b[0][1], b[2][0], b[2][1]

    def at(c, fx, fy):
        x0, y0, x1, y1 = box(c)
        return round(x0 + (x1 - x0) * fx, 4), round(y0 + (y1 - y0) * fy, 4)

    bodies = [
        dict(code="HL01", name="青川河", kind="river", basin="青川河流域", region=None, length=Decimal("186.5") if full else Decimal("62.0")),
        dict(code="HK01", name="东湖", kind="lake", basin="青川河流域", region=counties[0], length=None),
        dict(code="HL02", name="龙溪", kind="river", basin="青川河流域", region=counties[0], length=Decimal("18.2")),
        dict(code="SK01", name="松溪水库", kind="reservoir", basin="松溪流域", region=counties[1], length=None),
    ]
    c0, c1, cl = counties[0], counties[1], counties[-1]
    sections = [
        dict(code="QC01", name="青川河源头", body="HL01", level="national", county=c0, target=2, L=(1.3, 1.2), profile="clean", pos=at(c0, 0.1, 0.5)),
        dict(code="QC02", name="青川河水厂取水口", body="HL01", level="provincial", county=c0, target=2, L=(1.5, 1.4), profile="clean",
             pos=at(c0, 0.35, 0.45), drinking=True, volume=Decimal("92.5")),
    ]
    prev = None
    for i in range(len(counties) - 1):
        up, down = counties[i], counties[i + 1]
        L = [(3.3, 2.8), (4.2, 3.4), (2.9, 2.6), (3.6, 3.1), (3.2, 2.9)][i % 5]
        code = f"QC{i + 3:02d}"
        sections.append(dict(code=code, name=f"{up.name[:2]}—{down.name[:2]}交界", body="HL01", level="provincial", county=up,
                             target=3, L=L, profile="organic", pos=at(up, 0.95, 0.5), up=up, down=down, scheme="hb", inflow=prev or "QC01"))
        prev = code
    sections.append(dict(code="QC99", name="青川河出境", body="HL01", level="national", county=cl, target=3, L=(3.4, 2.9), profile="organic",
                         pos=at(cl, 0.9, 0.3), up=cl, down=None, scheme="hz", auto=True))
    sections += [
        dict(code="DH01", name="东湖湖心", body="HK01", level="municipal", county=c0, target=3, L=(4.6, 3.9), profile="lake", pos=at(c0, 0.5, 0.7), auto=True),
        dict(code="LX01", name="龙溪入青川河口", body="HL02", level="municipal", county=c0, target=4, L=(6.6, 5.4), profile="nutrient",
             pos=at(c0, 0.6, 0.35), dry_month=1),
        dict(code="SX01", name="松溪水库取水口", body="SK01", level="provincial", county=c1, target=2, L=(1.5, 1.4), profile="lake",
             pos=at(c1, 0.4, 0.8), drinking=True, volume=Decimal("61.0"), mn_summer=True),
    ]
    if full:
        c2, c3, c4, c5 = counties[2], counties[3], counties[4], counties[5]
        bodies += [
            dict(code="HL03", name="临江", kind="river", basin="临江流域", region=None, length=Decimal("142.0")),
            dict(code="HL04", name="白沙河", kind="river", basin="临江流域", region=c2, length=Decimal("35.6")),
            dict(code="HL05", name="梅溪", kind="river", basin="临江流域", region=c3, length=Decimal("28.1")),
            dict(code="HL06", name="石门河", kind="river", basin="临江流域", region=c4, length=Decimal("41.3")),
            dict(code="HL07", name="桃花溪", kind="river", basin="临江流域", region=c5, length=Decimal("16.8")),
            dict(code="HL08", name="东港", kind="river", basin="青川河流域", region=c1, length=Decimal("22.4")),
            dict(code="SK02", name="石门水库", kind="reservoir", basin="临江流域", region=c4, length=None),
            dict(code="HL09", name="松溪", kind="river", basin="松溪流域", region=None, length=Decimal("58.0")),
        ]
        sections += [
            dict(code="DH02", name="东湖北岸", body="HK01", level="municipal", county=c0, target=3, L=(4.3, 3.7), profile="lake", pos=at(c0, 0.55, 0.9)),
            dict(code="LJ01", name="临江入境", body="HL03", level="national", county=c2, target=2, L=(1.6, 1.4), profile="clean", pos=at(c2, 0.05, 0.2)),
            dict(code="LJ02", name=f"{c3.name[:2]}—{c4.name[:2]}临江交界", body="HL03", level="provincial", county=c3, target=3,
                 L=(3.8, 3.2), profile="organic", pos=at(c3, 0.95, 0.2), up=c3, down=c4, scheme="hb", inflow="LJ01"),
            dict(code="LJ99", name="临江出境", body="HL03", level="national", county=c5, target=3, L=(3.1, 2.7), profile="organic",
                 pos=at(c5, 0.95, 0.2), up=c5, down=None, scheme="hz"),
            dict(code="BS01", name="白沙河入临江口", body="HL04", level="municipal", county=c2, target=4, L=(5.3, 4.6), profile="organic", pos=at(c2, 0.5, 0.4)),
            dict(code="MX01", name="梅溪梅岭", body="HL05", level="municipal", county=c3, target=3, L=(2.8, 2.5), profile="clean", pos=at(c3, 0.3, 0.6)),
            dict(code="SM01", name="石门河入临江口", body="HL06", level="municipal", county=c4, target=4, L=(4.4, 3.8), profile="nutrient", pos=at(c4, 0.6, 0.5)),
            dict(code="TH01", name="桃花溪城区段", body="HL07", level="municipal", county=c5, target=4, L=(6.4, 6.0), profile="nutrient", pos=at(c5, 0.4, 0.6)),
            dict(code="DG01", name="东港入青川河口", body="HL08", level="municipal", county=c1, target=4, L=(4.9, 4.1), profile="organic", pos=at(c1, 0.7, 0.3)),
            dict(code="SM02", name="石门水库取水口", body="SK02", level="provincial", county=c4, target=2, L=(1.4, 1.3), profile="lake",
                 pos=at(c4, 0.3, 0.8), drinking=True, volume=Decimal("120.0")),
            dict(code="SM03", name="石门水库库心", body="SK02", level="municipal", county=c4, target=2, L=(1.8, 1.6), profile="lake", pos=at(c4, 0.35, 0.9)),
            dict(code="SX02", name="松溪上游", body="HL09", level="provincial", county=c1, target=2, L=(1.4, 1.3), profile="clean", pos=at(c1, 0.2, 0.6)),
            dict(code="SX03", name="松溪汇口", body="HL09", level="municipal", county=c2, target=3, L=(3.0, 2.7), profile="organic", pos=at(c2, 0.2, 0.8)),
            dict(code="QC90", name="青川河城区段", body="HL01", level="municipal", county=c1, target=3, L=(3.9, 3.3), profile="organic", pos=at(c1, 0.5, 0.5)),
        ]
    return bodies, sections


def seed(ctx: DemoContext):
    rng = ctx.rng("water")
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    city = Region.objects.filter(level=Region.Level.CITY).order_by("code").first()
    if len(counties) < 2:
        ctx.log("    water: needs at least two counties; skipped")
        return
    bodies, layout = _layout(counties, ctx.size == "full")
    body_rows = {}
    for b in bodies:
        body_rows[b["code"]] = WaterBody.objects.create(code=b["code"], name=b["name"], kind=b["kind"], basin=b["basin"],
                                                         region=b["region"], length_km=b["length"])
    sections = {}
    for s in layout:
        s["wb"] = gb3838.RIVER if body_rows[s["body"]].kind == "river" else gb3838.LAKE
        logger = None
        if s.get("auto"):
            logger = DataLogger.objects.create(
                mn=f"QSW{s['county'].code}{s['code']}", password=f"{rng.randint(0, 999999):06d}", kind="water_station",
                system_code="21", region=s["county"], manufacturer=rng.choice(["力合科技", "聚光科技", "哈希"]),
                factors=[gb3838.TABLE1[k].hj212 for k in AUTO_ITEMS], installed_on=ctx.today - datetime.timedelta(days=1200),
            )
        sections[s["code"]] = Section.objects.create(
            code=s["code"], name=s["name"], water_body=body_rows[s["body"]], level=s["level"], region=s["county"],
            lon=s["pos"][0], lat=s["pos"][1], target_class=s["target"], is_drinking_source=bool(s.get("drinking")),
            supply_volume=s.get("volume"), upstream_county=s.get("up"), downstream_county=s.get("down"), logger=logger,
        )
    # monthly manual samples for MONTHS months ending at today's month
    samples = []
    first = (ctx.today.year * 12 + ctx.today.month - 1) - (MONTHS - 1)
    for s in layout:
        l0, l1 = s["L"]
        for i in range(MONTHS):
            y, m = divmod(first + i, 12)
            m += 1
            day = datetime.date(y, m, min(rng.randint(5, 16), 28))
            if day > ctx.today:
                day = ctx.today
            level = l0 + (l1 - l0) * i / (MONTHS - 1) + rng.gauss(0, 0.2)
            if s.get("dry_month") == m and y == ctx.today.year:
                samples.append(Sample(section=sections[s["code"]], date=day, condition="dry", values={}, note="断流"))
                continue
            samples.append(Sample(section=sections[s["code"]], date=day, values=_sample_values(rng, s, level, day)))
        if s.get("auto"):
            for d in range(AUTO_DAYS):
                day = ctx.today - datetime.timedelta(days=AUTO_DAYS - 1 - d)
                samples.append(Sample(section=sections[s["code"]], date=day, source="automatic",
                                      values=_sample_values(rng, s, l1 + rng.gauss(0, 0.2), day, items=AUTO_ITEMS)))
    Sample.objects.bulk_create(samples, batch_size=500)

    # targets: the city (after the provincial letter: 53.4 % / 17.2 %, drinking > 92 %) and each county
    for year in (ctx.today.year - 1, ctx.today.year):
        ShareTarget.objects.create(year=year, region=city, good_min=Decimal("53.4"), v_plus_max=Decimal("17.2"),
                                   drinking_min=Decimal("92.0"), basis="水污染防治目标责任书")
        for c in counties:
            ShareTarget.objects.create(year=year, region=c, good_min=Decimal("50.0"), v_plus_max=Decimal("25.0"),
                                       basis="县（市、区）水环境质量目标责任书")

    # compensation schemes adopted locally and assigned to the cross-boundary and outflow sections
    adopted = datetime.date(ctx.today.year - 1, 1, 1)
    hb = CompensationScheme.objects.create(
        code="QS-HB-STEP", name="青山市跨界断面水质生态补偿（参照冀政办字〔2016〕169号，超标倍数阶梯扣缴）",
        based_on="hebei_2016", valid_from=adopted, document="青政办字〔2025〕12号", region=None)
    hz = CompensationScheme.objects.create(
        code="QS-HZ-LINEAR", name="青山市出境断面水环境质量生态补偿（参照菏泽市暂行办法，双向线性）",
        based_on="heze_2014", valid_from=adopted, document="青政办字〔2025〕13号", region=None)
    for s in layout:
        if not s.get("scheme"):
            continue
        sec = sections[s["code"]]
        CompensationAssignment.objects.create(
            section=sec, scheme=hb if s["scheme"] == "hb" else hz, county=s["up"],
            inflow_section=sections.get(s.get("inflow")) if s["scheme"] == "hb" else None, start=adopted,
        )
    # assessments and the ledger
    start = datetime.date(first // 12, first % 12 + 1, 1)
    n = services.assess_all(start, ctx.today)
    entries = 0
    for i in range(MONTHS):
        y, m = divmod(first + i, 12)
        entries += len(services.compute_compensation(y, m + 1))
    ctx.log(f"    water: {len(bodies)} water bodies, {len(layout)} sections, {len(samples)} samples, "
            f"{n} assessments, {entries} compensation entries")
