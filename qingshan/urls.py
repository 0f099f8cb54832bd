"""Root URLs. Each Qingshan app with a ``urls`` module is mounted at /<label>/;
the portal (public pages) is mounted at the site root and the staff area at /staff/."""

import importlib

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qingshan.core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", include("qingshan.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path(settings.MEDIA_URL.strip("/") + "/<path:path>", core_views.media, name="media"),
]

_MOUNTS = {"core": None, "portal": "", "api": None}

for app in settings.QINGSHAN_APPS:
    label = app.rsplit(".", 1)[-1]
    try:
        importlib.import_module(f"{app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name == f"{app}.urls":
            continue
        raise
    prefix = _MOUNTS.get(label, f"{label}/")
    if prefix is None:
        continue
    urlpatterns.append(path(prefix, include(f"{app}.urls")))

try:
    from qingshan.api.api import api as _api
except ModuleNotFoundError as exc:
    if exc.name not in ("qingshan.api.api",):
        raise
else:
    urlpatterns.append(path("api/", _api.urls))
