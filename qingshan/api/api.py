"""The open API (django-ninja): published data for everyone, staff data with a token and region scope.

OpenAPI schema: /api/openapi.json, docs: /api/docs. Each app's optional ``api.py`` ``router`` is
mounted under /api/<label>/.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import NinjaAPI, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from qingshan.core.models import ApiToken
from qingshan.core.navigation import app_modules

from . import ratelimit


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        t = ApiToken.authenticate(token)
        if t is None:
            return None
        request.user = t.user
        request.api_token = t
        return t


def _limit(request: HttpRequest):
    token = getattr(request, "api_token", None)
    key = f"api:t{token.pk}" if token else f"api:ip{ratelimit.client_ip(request)}"
    limit, window = ratelimit.API_LIMIT
    if not ratelimit.hit(key, limit, window):
        raise HttpError(429, "Too many requests")


api = NinjaAPI(title="Qingshan open API", version="1.0",
               description="Published environmental data (no login) and, with a bearer token, staff data within the token user's region.",
               urls_namespace="api")


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str | None = None
    region: str
    key_level: str
    industry: str | None = None


class CaseOut(Schema):
    number: str
    enterprise: str
    violation_type: str
    decision_number: str
    decided_on: datetime.date | None
    published_on: datetime.date | None


class RatingOut(Schema):
    enterprise: str
    year: int
    colour: str


class ComplaintStatusOut(Schema):
    ticket: str
    status: str
    received_on: datetime.date
    reply: str


def _enterprise(e) -> dict:
    return {"id": e.pk, "name": e.name, "uscc": getattr(e, "uscc", None), "region": e.region.name,
            "key_level": e.key_level, "industry": str(e.industry) if getattr(e, "industry_id", None) else None}


public = Router(tags=["public"])


@public.get("/enterprises", response=list[EnterpriseOut])
def public_enterprises(request, q: str = "", limit: int = 100, offset: int = 0):
    """Registry-level public information of enterprises."""
    _limit(request)
    from qingshan.portal.published import enterprises

    qs = enterprises()
    if q:
        qs = qs.filter(name__icontains=q)
    return [_enterprise(e) for e in qs[offset:offset + min(max(limit, 1), 500)]]


@public.get("/cases", response=list[CaseOut])
def public_cases(request, limit: int = 100, offset: int = 0):
    """Penalty decisions after publication."""
    _limit(request)
    from qingshan.portal.published import cases

    return [{"number": c.number, "enterprise": c.enterprise.name, "violation_type": c.get_violation_type_display(),
             "decision_number": c.decision_number, "decided_on": c.decided_on, "published_on": c.published_on}
            for c in cases()[offset:offset + min(max(limit, 1), 500)]]


@public.get("/ratings", response=list[RatingOut])
def public_ratings(request, year: int | None = None):
    """Published environmental credit ratings."""
    _limit(request)
    from qingshan.portal.published import ratings

    return [{"enterprise": r.enterprise.name, "year": r.year, "colour": r.current_colour} for r in ratings(year)]


@public.get("/complaints/{ticket}", response=ComplaintStatusOut)
def complaint_status(request, ticket: str, phone: str):
    """Status of a complaint by ticket number and the complainant's phone."""
    _limit(request)
    from qingshan.complaints.models import Complaint

    c = Complaint.objects.filter(ticket=ticket.strip(), complainant_phone=phone.strip()).first()
    if c is None:
        raise HttpError(404, "Not found")
    return {"ticket": c.ticket, "status": c.get_status_display(), "received_on": c.received_on,
            "reply": c.reply if c.status in ("replied", "closed") else ""}


staff = Router(tags=["staff"], auth=TokenAuth())


@staff.get("/enterprises", response=list[EnterpriseOut])
def staff_enterprises(request, limit: int = 100, offset: int = 0):
    """Enterprises in the token user's region."""
    _limit(request)
    from qingshan.registry.models import Enterprise

    qs = Enterprise.objects.for_user(request.user).select_related("region", "industry").order_by("name")
    return [_enterprise(e) for e in qs[offset:offset + min(max(limit, 1), 500)]]


@staff.get("/summary")
def staff_summary(request, year: int, half: str = "1") -> dict:
    """Figures of the half-year work summary for the token user's region."""
    _limit(request)
    from qingshan.reports.kinds import ParamError, _jsonable, collect_summary

    try:
        return _jsonable(collect_summary({"year": year, "half": half}, request.user))
    except ParamError as exc:
        raise HttpError(400, str(exc))


api.add_router("/public/", public)
api.add_router("/staff/", staff)

for _label, _module in app_modules("api"):
    _router = getattr(_module, "router", None)
    if _router is not None and _label != "api":
        api.add_router(f"/{_label}/", _router)
