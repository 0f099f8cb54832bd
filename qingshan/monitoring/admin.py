from django.contrib import admin

from qingshan.core.admin import ScopedAdmin

from . import models as m


@admin.register(m.Alarm)
class AlarmAdmin(ScopedAdmin):
    list_display = ["started_at", "kind", "status", "enterprise", "logger", "factor", "peak_value", "limit_value"]
    list_filter = ["kind", "status"]
    search_fields = ["enterprise__name", "logger__mn", "factor"]
    raw_id_fields = ["logger", "outlet", "enterprise", "region"]


@admin.register(m.AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = ["factor_code", "offline_minutes", "flat_line_hours", "zero_hours", "range_min", "range_max", "active"]


@admin.register(m.LoggerRole)
class LoggerRoleAdmin(ScopedAdmin):
    list_display = ["logger", "position", "paired_with", "facility"]


@admin.register(m.IngestEvent)
class IngestEventAdmin(ScopedAdmin):
    list_display = ["day", "mn", "logger", "packets_ok", "bad_crc", "auth_failed", "malformed"]
    list_filter = ["day"]


admin.site.register(m.LoggerStatus, ScopedAdmin)
admin.site.register(m.IngestRejection, ScopedAdmin)


@admin.register(m.ShutdownDeclaration)
class ShutdownDeclarationAdmin(ScopedAdmin):
    list_display = ["start", "end", "kind", "status", "enterprise", "outlet", "logger", "reviewed_by"]
    list_filter = ["status", "kind"]
    search_fields = ["enterprise__name", "logger__mn", "outlet__code", "reason"]
    raw_id_fields = ["logger", "outlet", "declared_by", "reviewed_by"]
    readonly_fields = ["enterprise", "region"]  # derived from the logger or outlet
