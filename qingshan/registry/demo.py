"""Demo city: 青山市 with its counties, towns, grids, enterprises and users.

Everything is fictional and generated deterministically from the seed. The
division codes use the unassigned province prefix 99 so they can never be
mistaken for real ones.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from qingshan.core.demo import DEMO_PASSWORD, DemoContext
from qingshan.core.roles import Role
from qingshan.standards import gb32100

from . import models as m

CITY_BBOX = (115.00, 28.00, 116.20, 29.00)  # lon0, lat0, lon1, lat1
COUNTY_NAMES = ["东湖区", "西山区", "青川县", "松溪县", "石门县", "临江市"]
COUNTY_SLUGS = ["donghu", "xishan", "qingchuan", "songxi", "shimen", "linjiang"]
TOWN_STEMS = list("龙凤桥岭塘溪石田湖林梅竹港湾泉坪江湘河口沙峰")
TOWN_PREFIX = list("东西南北新大小上下长白金青黄红")
COMPANY_WORDS = ["鑫源", "华泰", "宏达", "恒通", "瑞丰", "永兴", "聚力", "天元", "中科", "博远", "金诚", "盛世",
                 "绿源", "新锐", "嘉禾", "润泽", "德胜", "华宇", "锦程", "广誉", "立信", "正邦", "汇通", "远航"]

# industry code -> (weight, suffix, outlets [(medium, factors)])
AIR_FACTORS = [("a21026", "二氧化硫", "SO2"), ("a21002", "氮氧化物", "NOx"), ("a34013", "颗粒物", "PM")]
WATER_FACTORS = [("w01018", "化学需氧量", "COD"), ("w21003", "氨氮", "NH3-N"), ("w21011", "总磷", "TP")]
INDUSTRY_PROFILE = {
    "4411": (3, "发电有限公司", ["air", "water"]),
    "4412": (3, "热电有限公司", ["air"]),
    "4430": (4, "热力有限公司", ["air"]),
    "3011": (5, "水泥有限公司", ["air"]),
    "3110": (2, "钢铁有限公司", ["air", "water"]),
    "3120": (2, "特钢有限公司", ["air"]),
    "2221": (6, "纸业有限公司", ["water"]),
    "1713": (7, "印染有限公司", ["water"]),
    "2614": (5, "化工有限公司", ["air", "water"]),
    "2710": (4, "制药有限公司", ["water", "air"]),
    "3360": (8, "表面处理有限公司", ["water"]),
    "1351": (4, "食品有限公司", ["water"]),
    "1512": (3, "酒业有限公司", ["water"]),
    "0313": (10, "生猪养殖场", ["water"]),
    "4620": (4, "污水处理有限公司", ["water"]),
    "3031": (6, "新型建材有限公司", ["air"]),
    "3391": (5, "铸造有限公司", ["air"]),
    "2641": (3, "涂料有限公司", ["air"]),
    "3982": (4, "电子科技有限公司", ["water"]),
    "7820": (2, "环卫有限公司", ["water"]),
    "8411": (3, "医院", ["water"]),
    "2319": (5, "印务有限公司", ["air"]),
}


def _rect(x0, y0, x1, y1):
    return [[round(x0, 5), round(y0, 5)], [round(x1, 5), round(y0, 5)], [round(x1, 5), round(y1, 5)],
            [round(x0, 5), round(y1, 5)], [round(x0, 5), round(y0, 5)]]


def _split(box, cols, rows):
    x0, y0, x1, y1 = box
    w, h = (x1 - x0) / cols, (y1 - y0) / rows
    return [(x0 + c * w, y0 + r * h, x0 + (c + 1) * w, y0 + (r + 1) * h) for r in range(rows) for c in range(cols)]


def _grid_shape(n):
    for cols in range(int(n ** 0.5), 0, -1):
        if n % cols == 0:
            return n // cols, cols
    return n, 1


def _region(code, name, level, kind, parent, box):
    path = (parent.path if parent else "/") + f"{code}/"
    return m.Region(code=code, name=name, level=level, kind=kind, parent=parent, path=path,
                    lon=round((box[0] + box[2]) / 2, 5), lat=round((box[1] + box[3]) / 2, 5), boundary=_rect(*box))


def seed(ctx: DemoContext):
    rng = ctx.rng("registry")
    dims = ctx.dims
    province = _region("990000", "青山省", m.Region.Level.PROVINCE, "admin", None, (114, 27, 117, 30))
    province.save()
    city = _region("990100", "青山市", m.Region.Level.CITY, "admin", province, CITY_BBOX)
    city.save()
    counties, towns, grids = [], [], []
    c_rows, c_cols = _grid_shape(dims["counties"])
    for ci, box in enumerate(_split(CITY_BBOX, c_cols, c_rows)):
        county = _region(f"9901{ci + 1:02d}", COUNTY_NAMES[ci], m.Region.Level.COUNTY, "admin", city, box)
        counties.append(county)
    m.Region.objects.bulk_create(counties)
    counties = list(m.Region.objects.filter(level=m.Region.Level.COUNTY).order_by("code"))
    used_names = set()
    for county in counties:
        box = (county.boundary[0][0], county.boundary[0][1], county.boundary[2][0], county.boundary[2][1])
        t_rows, t_cols = _grid_shape(dims["towns"])
        for ti, tbox in enumerate(_split(box, t_cols, t_rows)):
            if ti == 0:
                name, kind = f"{county.name[:2]}工业园区", "park"
            else:
                while True:
                    name = rng.choice(TOWN_PREFIX) + rng.choice(TOWN_STEMS)
                    if name not in used_names:
                        break
                used_names.add(name)
                kind = "street" if ti <= 2 and county.name.endswith("区") else "town"
                name += {"street": "街道", "town": "镇"}[kind]
            towns.append(_region(f"{county.code}{ti + 1:03d}", name, m.Region.Level.TOWN, kind, county, tbox))
    m.Region.objects.bulk_create(towns)
    towns = list(m.Region.objects.filter(level=m.Region.Level.TOWN).select_related("parent").order_by("code"))
    for town in towns:
        box = (town.boundary[0][0], town.boundary[0][1], town.boundary[2][0], town.boundary[2][1])
        g_rows, g_cols = _grid_shape(dims["grids"])
        for gi, gbox in enumerate(_split(box, g_cols, g_rows)):
            grids.append(_region(f"{town.code}{gi + 1:03d}", f"{town.name}第{gi + 1}网格", m.Region.Level.GRID, "grid", town, gbox))
    m.Region.objects.bulk_create(grids)
    grids = list(m.Region.objects.filter(level=m.Region.Level.GRID).order_by("code"))
    ctx.log(f"    regions: {len(counties)} counties, {len(towns)} towns, {len(grids)} grids")

    enterprises = _enterprises(ctx, rng, grids, dims["enterprises"])
    _outlets_permits_loggers(ctx, rng, enterprises, dims["loggers"])
    _eia(ctx, rng, enterprises)
    _users(ctx, rng, city, counties, grids, enterprises)


def _enterprises(ctx, rng, grids, count):
    if not m.Industry.objects.exists():  # e.g. after a test flush: reload the GB/T 4754 table of migration 0002
        from django.apps import apps as global_apps

        from .migrations import _industries

        _industries.load(global_apps, None)
    industries = {i.code: i for i in m.Industry.objects.all()}
    codes = [c for c in INDUSTRY_PROFILE if c in industries]
    weights = [INDUSTRY_PROFILE[c][0] for c in codes]
    park_grids = [g for g in grids if g.path.split("/")[-3].endswith("001")]
    rows, seen = [], set()
    for i in range(count):
        code = rng.choices(codes, weights)[0]
        grid = rng.choice(park_grids) if rng.random() < 0.45 and park_grids else rng.choice(grids)
        county_code = grid.path.strip("/").split("/")[2]
        while True:
            org = "".join(rng.choice(gb32100.ALPHABET[:10] if k < 8 else gb32100.ALPHABET) for k in range(9))
            uscc = gb32100.make("9", "1", county_code, org)
            if uscc not in seen:
                seen.add(uscc)
                break
        place = grid.name.split("第")[0][:2]
        name = f"青山市{place}{rng.choice(COMPANY_WORDS)}{INDUSTRY_PROFILE[code][1]}"
        if name in seen:
            name = name.replace("有限公司", f"{i}号有限公司") if "有限公司" in name else f"{name}{i}"
        seen.add(name)
        r = rng.random()
        key = "national" if r < 0.03 else "provincial" if r < 0.10 else "municipal" if r < 0.20 else "none"
        if code in ("4411", "4412", "3110") and key == "none":
            key = "provincial"
        x0, y0, x1, y1 = grid.boundary[0][0], grid.boundary[0][1], grid.boundary[2][0], grid.boundary[2][1]
        status = rng.choices(["operating", "construction", "suspended", "closed"], [90, 3, 4, 3])[0]
        rows.append(m.Enterprise(
            uscc=uscc, name=name, industry=industries[code], region=grid,
            address=f"{grid.parent.parent.name}{grid.parent.name}{rng.randint(1, 300)}号",
            lon=round(rng.uniform(x0, x1), 5), lat=round(rng.uniform(y0, y1), 5), key_level=key, status=status,
            legal_representative=rng.choice("王李张刘陈杨黄赵周吴") + rng.choice(["伟", "芳", "强", "敏", "军", "洁", "涛", "勇"]),
            contact=rng.choice("孙胡朱高林何郭马罗") + rng.choice(["明", "华", "丽", "斌", "婷", "磊"]),
            phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
        ))
    for e in rows:
        e.region.parent = None  # avoid holding the tree in memory
    m.Enterprise.objects.bulk_create(rows, batch_size=500)
    ctx.log(f"    enterprises: {len(rows)}")
    return list(m.Enterprise.objects.select_related("region", "industry").order_by("uscc"))


def _outlets_permits_loggers(ctx, rng, enterprises, n_loggers):
    outlets, permits = [], []
    today = ctx.today
    for e in enterprises:
        media = INDUSTRY_PROFILE.get(e.industry_id, (0, "", ["water"]))[2]
        n = 0
        for medium in media:
            count = 2 if (e.key_level in ("national", "provincial") and medium == "air") else 1
            for k in range(count):
                n += 1
                prefix = "DA" if medium == "air" else "DW"
                outlets.append(m.Outlet(
                    enterprise=e, code=f"{prefix}{k + 1:03d}", name=f"{'废气' if medium == 'air' else '废水'}排放口{k + 1}",
                    medium=medium, kind="main" if k == 0 else "general", lon=e.lon, lat=e.lat,
                    standards_applied={"air": "GB 13223-2011" if e.industry_id.startswith("44") else "GB 16297-1996",
                                       "water": "GB 8978-1996"}[medium],
                    stack_height_m=Decimal(rng.choice([30, 45, 60, 80, 120])) if medium == "air" else None,
                    receiving_water="" if medium == "air" else rng.choice(["青川河", "松溪", "临江", "东湖"]),
                ))
        if e.key_level != "none" or rng.random() < 0.5:
            start = today - datetime.timedelta(days=rng.randint(30, 4 * 365))
            permits.append(m.Permit(
                enterprise=e, number=f"{e.uscc}{rng.randint(1, 9):03d}{'P' if e.key_level != 'none' else 'Q'}",
                management_class="key" if e.key_level != "none" else rng.choice(["simplified", "registration"]),
                issued_on=start, valid_from=start, valid_to=start + datetime.timedelta(days=5 * 365),
                issuer="青山市生态环境局",
                status="valid" if start + datetime.timedelta(days=5 * 365) >= today else "expired",
            ))
    m.Outlet.objects.bulk_create(outlets, batch_size=1000)
    m.Permit.objects.bulk_create(permits, batch_size=1000)
    outlets_by_ent = {}
    for o in m.Outlet.objects.all():
        outlets_by_ent.setdefault(o.enterprise_id, []).append(o)
    limits = []
    for p in m.Permit.objects.select_related("enterprise"):
        strict = p.enterprise.industry_id.startswith("44")
        caps = {}
        for o in outlets_by_ent.get(p.enterprise_id, []):
            factors = AIR_FACTORS if o.medium == "air" else WATER_FACTORS
            for code, name, short in factors:
                if o.medium == "air":
                    limit = {"SO2": 35 if strict else 200, "NOx": 50 if strict else 150, "PM": 10 if strict else 30}[short]
                    unit, averaging = "mg/m3", "hourly"
                else:
                    limit = {"COD": rng.choice([50, 60, 100]), "NH3-N": rng.choice([5, 8, 15]), "TP": rng.choice([0.5, 1])}[short]
                    unit, averaging = "mg/L", "daily"
                limits.append(m.PermitLimit(permit=p, outlet=o, factor_code=code, pollutant=name,
                                            concentration_limit=Decimal(str(limit)), unit=unit, averaging=averaging))
                caps[(code, name)] = caps.get((code, name), 0) + rng.uniform(2, 60 if o.medium == "air" else 30)
        for (code, name), cap in caps.items():
            limits.append(m.PermitLimit(permit=p, outlet=None, factor_code=code, pollutant=name,
                                        unit="t/a", annual_cap_t=Decimal(f"{cap:.3f}")))
    m.PermitLimit.objects.bulk_create(limits, batch_size=2000)
    # data loggers on the main outlets of national/provincial/municipal key enterprises
    candidates = [o for e in enterprises if e.key_level != "none" and e.status == "operating"
                  for o in outlets_by_ent.get(e.pk, []) if o.kind == "main"]
    candidates.sort(key=lambda o: ({"national": 0, "provincial": 1, "municipal": 2}[o.enterprise.key_level], o.pk))
    loggers = []
    region_of = {e.pk: e.region_id for e in enterprises}
    for i, o in enumerate(candidates[:n_loggers]):
        factors = [f[0] for f in (AIR_FACTORS if o.medium == "air" else WATER_FACTORS)]
        if o.medium == "air":
            factors += ["a01012", "a01013", "a01014", "a19001", "a00000"]  # temperature, pressure, humidity, O2, flow
        else:
            factors += ["w01001", "w00000"]  # pH, flow
        loggers.append(m.DataLogger(
            mn=f"QS{o.enterprise.uscc[2:8]}{i + 1:06d}", password=f"{rng.randint(0, 999999):06d}",
            kind="outlet", system_code="31" if o.medium == "air" else "32", protocol="2017",
            region_id=region_of[o.enterprise_id], enterprise_id=o.enterprise_id, outlet=o, factors=factors,
            manufacturer=rng.choice(["聚光科技", "先河环保", "雪迪龙", "力合科技"]),
            installed_on=ctx.today - datetime.timedelta(days=rng.randint(200, 2000)),
        ))
    m.DataLogger.objects.bulk_create(loggers)
    ctx.log(f"    outlets: {len(outlets)}, permits: {len(permits)}, limits: {len(limits)}, loggers: {len(loggers)}")


def _eia(ctx, rng, enterprises):
    rows = []
    projects = ["技改项目", "扩建项目", "新建生产线项目", "污染治理设施升级项目", "搬迁项目"]
    for e in rng.sample(enterprises, k=min(len(enterprises), max(10, len(enterprises) // 6))):
        received = ctx.today - datetime.timedelta(days=rng.randint(1, 720))
        status = rng.choices(["approved", "rejected", "pre_review"], [80, 8, 12])[0]
        decided = received + datetime.timedelta(days=rng.randint(10, 60)) if status != "pre_review" else None
        if decided and decided > ctx.today:
            decided, status = None, "pre_review"
        rows.append(m.EIAApproval(
            enterprise=e, project=f"{e.name}{rng.choice(projects)}",
            category=rng.choices(["report", "form", "registration"], [15, 60, 25])[0],
            document_number=f"青环审〔{received.year}〕{rng.randint(1, 300)}号" if status == "approved" else "",
            received_on=received, decided_on=decided, status=status,
            investment_10k_yuan=Decimal(rng.randint(200, 50000)),
            environmental_investment_10k_yuan=Decimal(rng.randint(20, 3000)),
        ))
    m.EIAApproval.objects.bulk_create(rows)
    acc = []
    for eia in m.EIAApproval.objects.filter(status="approved", decided_on__lt=ctx.today - datetime.timedelta(days=120)):
        if rng.random() < 0.7:
            acc.append(m.CompletionAcceptance(
                eia_approval=eia, accepted_on=eia.decided_on + datetime.timedelta(days=rng.randint(90, 300)),
                result=rng.choices(["passed", "failed"], [92, 8])[0], three_simultaneities=rng.random() < 0.95,
            ))
    acc = [a for a in acc if a.accepted_on <= ctx.today]
    m.CompletionAcceptance.objects.bulk_create(acc)
    ctx.log(f"    EIA approvals: {len(rows)}, completion acceptances: {len(acc)}")


def _users(ctx, rng, city, counties, grids, enterprises):
    User = get_user_model()
    hashed = make_password(DEMO_PASSWORD)
    specs = [  # username, role, department, region, enterprise, superuser, full name
        ("admin", None, "", None, None, True, "系统管理员"),
        ("leader", Role.LEADER, "office", city, None, False, "局长"),
        ("monitoring", Role.MONITORING_STAFF, "monitoring", city, None, False, "监测科"),
        ("enforcement", Role.ENFORCEMENT_STAFF, "enforcement", city, None, False, "执法支队"),
        ("complaints", Role.COMPLAINTS_STAFF, "complaints", city, None, False, "信访科"),
        ("planning", Role.PLANNING_STAFF, "planning", city, None, False, "规划科"),
    ]
    for slug, county in zip(COUNTY_SLUGS, counties):
        specs.append((slug, Role.COUNTY_STAFF, "", county, None, False, f"{county.name}分局"))
    for grid in grids:
        specs.append((f"grid{grid.code}", Role.GRID_OFFICER, "", grid, None, False, f"{grid.name}网格员"))
    key_ents = [e for e in enterprises if e.key_level != "none"][:20]
    for i, e in enumerate(key_ents, start=1):
        specs.append((f"ent{i:03d}", Role.ENTERPRISE, "", None, e, False, e.name[:30]))
    specs.append(("public", Role.PUBLIC, "", None, None, False, "公众用户"))
    users = [User(username=u, password=hashed, is_superuser=su, is_staff=su, first_name=name)
             for u, _r, _d, _reg, _e, su, name in specs]
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in specs])}
    from django.contrib.auth.models import Group

    from qingshan.core.roles import sync_role_groups

    sync_role_groups()
    groups = {g.name: g for g in Group.objects.all()}
    profiles, memberships = [], []
    Membership = User.groups.through
    for u, role, dept, region, ent, su, _name in specs:
        if role is None:
            continue
        user = by_name[u]
        profiles.append(m.UserProfile(user=user, role=role, department=dept, region=region, enterprise=ent,
                                      all_regions=role == Role.LEADER))
        memberships.append(Membership(user_id=user.pk, group_id=groups[Role.group_name(role)].pk))
    m.UserProfile.objects.bulk_create(profiles)
    Membership.objects.bulk_create(memberships)
    ctx.extras["users"] = by_name
    ctx.log(f"    users: {len(specs)} (password {DEMO_PASSWORD})")
