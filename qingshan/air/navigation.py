from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(
    _("Air"),
    [
        MenuItem(_("Air quality overview"), "air:overview", "air.view_dailyaqi"),
        MenuItem(_("Daily bulletin"), "air:bulletin", "air.view_dailyaqi"),
        MenuItem(_("County ranking"), "air:ranking", "air.view_dailyaqi"),
        MenuItem(_("Heavy pollution alerts"), "air:heavypollutionalert_list", "air.view_heavypollutionalert"),
        MenuItem(_("Alert from a forecast"), "air:forecast", "air.view_heavypollutionalert"),
        MenuItem(_("Air quality stations"), "air:station_list", "air.view_station"),
        MenuItem(_("Import hourly data"), "air:import", "air.add_hourlyvalue"),
    ],
)
