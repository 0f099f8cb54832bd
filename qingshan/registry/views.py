from django.utils.translation import gettext_lazy as _

from qingshan.core.entity import EntityViewSet
from qingshan.core.importexport import Column, ImportSpec

from . import models as m


class RegionViews(EntityViewSet):
    model = m.Region
    list_columns = ["name", "code", "level", "kind", "parent"]
    filters = ["level", "kind", "parent"]
    search = ["name", "code"]
    form_fields = ["code", "name", "level", "kind", "parent", "lon", "lat"]
    related = [("children", _("Subdivisions")), ("enterprises", _("Enterprises")), ("staff", _("Staff"))]
    select_related = ["parent"]


class EnterpriseViews(EntityViewSet):
    model = m.Enterprise
    list_columns = ["name", "uscc", "industry", "region", "key_level", "status"]
    filters = ["region", "key_level", "status", "industry"]
    search = ["name", "uscc", "address"]
    form_fields = [
        "uscc", "name", "industry", "address", "lon", "lat", "region", "key_level", "status",
        "legal_representative", "contact", "phone",
    ]
    related = [
        ("outlets", _("Outlets")),
        ("permits", _("Permits")),
        ("loggers", _("Data loggers")),
        ("eia_approvals", _("EIA approvals")),
        ("cases", _("Cases")),
        ("rectifications", _("Rectification orders")),
        ("complaints", _("Complaints")),
        ("credit_ratings", _("Credit ratings")),
    ]
    select_related = ["industry", "region"]
    import_spec = ImportSpec(
        model=m.Enterprise,
        columns=[
            Column("uscc"), Column("name"), Column("industry", lookup="code"), Column("address", required_header=False),
            Column("lon", required_header=False), Column("lat", required_header=False),
            Column("region", lookup="code"), Column("key_level"), Column("status", required_header=False),
            Column("legal_representative", required_header=False), Column("contact", required_header=False),
            Column("phone", required_header=False),
        ],
        key=("uscc",),
    )


def _outlet_of_permit(text, row, user):
    permit = row.get("permit")
    if not text:
        return None
    if permit is None:
        raise ValueError("permit first")
    outlet = m.Outlet.objects.for_user(user).filter(enterprise=permit.enterprise, code=text).first()
    if outlet is None:
        raise ValueError(f"{text} not found for {permit.enterprise}")
    return outlet


def _outlet_key_enterprise(text, row, user):
    ent = m.Enterprise.objects.for_user(user).filter(uscc=text.strip().upper()).first()
    if ent is None:
        raise ValueError(f"{text} not found")
    return ent


class OutletViews(EntityViewSet):
    model = m.Outlet
    list_columns = ["code", "name", "enterprise", "medium", "kind", "standards_applied"]
    filters = ["enterprise__region", "medium", "kind"]
    search = ["code", "name", "enterprise__name"]
    form_fields = ["enterprise", "code", "name", "medium", "kind", "lon", "lat", "standards_applied", "stack_height_m", "receiving_water"]
    related = [("limits", _("Permit limits")), ("loggers", _("Data loggers"))]
    select_related = ["enterprise"]
    import_spec = ImportSpec(
        model=m.Outlet,
        columns=[
            Column("enterprise", resolver=_outlet_key_enterprise), Column("code"), Column("name"), Column("medium"),
            Column("kind", required_header=False), Column("lon", required_header=False), Column("lat", required_header=False),
            Column("standards_applied", required_header=False), Column("stack_height_m", required_header=False),
            Column("receiving_water", required_header=False),
        ],
        key=("enterprise", "code"),
    )


class PermitViews(EntityViewSet):
    model = m.Permit
    list_columns = ["number", "enterprise", "management_class", "valid_from", "valid_to", "status"]
    filters = ["enterprise__region", "management_class", "status"]
    search = ["number", "enterprise__name", "enterprise__uscc"]
    form_fields = ["enterprise", "number", "management_class", "issued_on", "valid_from", "valid_to", "issuer", "status"]
    related = [("limits", _("Limits and caps"))]
    select_related = ["enterprise"]
    import_spec = ImportSpec(
        model=m.Permit,
        columns=[
            Column("number"), Column("enterprise", lookup="uscc"), Column("management_class", required_header=False),
            Column("issued_on"), Column("valid_from"), Column("valid_to"), Column("issuer", required_header=False),
            Column("status", required_header=False),
        ],
        key=("number",),
    )


class PermitLimitViews(EntityViewSet):
    model = m.PermitLimit
    list_columns = ["permit", "outlet", "factor_code", "pollutant", "concentration_limit", "unit", "averaging", "annual_cap_t"]
    filters = ["permit__enterprise__region", "averaging"]
    search = ["permit__number", "pollutant", "factor_code", "permit__enterprise__name"]
    form_fields = ["permit", "outlet", "factor_code", "pollutant", "concentration_limit", "unit", "averaging", "annual_cap_t"]
    select_related = ["permit", "outlet", "outlet__enterprise"]
    import_spec = ImportSpec(
        model=m.PermitLimit,
        columns=[
            Column("permit", lookup="number"), Column("outlet", resolver=_outlet_of_permit, required_header=False),
            Column("factor_code"), Column("pollutant"), Column("concentration_limit", required_header=False),
            Column("unit", required_header=False), Column("averaging", required_header=False),
            Column("annual_cap_t", required_header=False),
        ],
        key=("permit", "outlet", "factor_code"),
    )


class DataLoggerViews(EntityViewSet):
    model = m.DataLogger
    list_columns = ["mn", "kind", "enterprise", "outlet", "system_code", "protocol", "active"]
    filters = ["region", "kind", "protocol", "active"]
    search = ["mn", "enterprise__name"]
    form_fields = ["mn", "password", "kind", "system_code", "protocol", "region", "enterprise", "outlet", "factors", "manufacturer", "installed_on", "active"]
    detail_fields = ["mn", "kind", "system_code", "protocol", "region", "enterprise", "outlet", "factors", "manufacturer", "installed_on", "active"]
    select_related = ["enterprise", "outlet"]


class EIAApprovalViews(EntityViewSet):
    model = m.EIAApproval
    list_columns = ["project", "enterprise", "category", "received_on", "decided_on", "status"]
    filters = ["enterprise__region", "category", "status"]
    search = ["project", "document_number", "enterprise__name"]
    form_fields = ["enterprise", "project", "category", "document_number", "received_on", "decided_on", "status",
                   "investment_10k_yuan", "environmental_investment_10k_yuan"]
    related = [("acceptances", _("Completion acceptances"))]
    select_related = ["enterprise"]


class CompletionAcceptanceViews(EntityViewSet):
    model = m.CompletionAcceptance
    list_columns = ["eia_approval", "accepted_on", "result", "three_simultaneities"]
    filters = ["eia_approval__enterprise__region", "result", "three_simultaneities"]
    search = ["eia_approval__project", "eia_approval__enterprise__name"]
    form_fields = ["eia_approval", "accepted_on", "result", "three_simultaneities", "notes"]
    select_related = ["eia_approval"]


class UserProfileViews(EntityViewSet):
    model = m.UserProfile
    list_columns = ["user", "role", "department", "region", "enterprise"]
    filters = ["region", "role", "department"]
    search = ["user__username", "user__first_name", "user__last_name"]
    form_fields = ["role", "department", "region", "extra_regions", "enterprise", "phone"]
    select_related = ["user", "region", "enterprise"]


VIEWSETS = [
    RegionViews, EnterpriseViews, OutletViews, PermitViews, PermitLimitViews, DataLoggerViews,
    EIAApprovalViews, CompletionAcceptanceViews, UserProfileViews,
]
