from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Online monitoring"),
    [
        MenuItem(_("Loggers and real-time data"), "monitoring:overview", "monitoring.view_alarm"),
        MenuItem(_("Alarms"), "monitoring:alarm_list", "monitoring.view_alarm"),
        MenuItem(_("Effective transmission rate"), "monitoring:transmission", "monitoring.view_alarm"),
        MenuItem(_("Shutdown declarations"), "monitoring:shutdowndeclaration_list", "monitoring.view_shutdowndeclaration"),
        MenuItem(_("Treatment facility efficiency"), "monitoring:efficiency", "monitoring.view_alarm"),
        MenuItem(_("Logger positions"), "monitoring:loggerrole_list", "monitoring.view_loggerrole"),
        MenuItem(_("Ingest counters"), "monitoring:ingestevent_list", "monitoring.view_ingestevent"),
        MenuItem(_("Rejected packets"), "monitoring:ingestrejection_list", "monitoring.view_ingestrejection"),
    ],
)
