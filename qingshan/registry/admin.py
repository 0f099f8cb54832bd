from django.contrib import admin

from qingshan.core.admin import ScopedAdmin

from . import models as m


@admin.register(m.Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]


@admin.register(m.Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["name", "uscc", "industry", "region", "key_level", "status"]
    list_filter = ["key_level", "status"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["region"]


for model in (m.Outlet, m.Permit, m.PermitLimit, m.DataLogger, m.EIAApproval, m.CompletionAcceptance, m.UserProfile):
    admin.site.register(model, ScopedAdmin)

admin.site.register(m.Industry)
