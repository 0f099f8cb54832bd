from django.utils.translation import gettext_lazy as _

from qingshan.core.navigation import Menu, MenuItem

MENU = Menu(_("Portal"), [
    MenuItem(_("Public portal"), "portal:home", None),
    MenuItem(_("Subscriber outbox"), "portal:outbox", "portal.view_outbox"),
])
