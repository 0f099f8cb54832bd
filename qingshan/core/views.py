import functools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .models import ChangeLog, Notification
from .navigation import app_modules


@login_required
def home(request):
    """Staff start page: widgets contributed by each app's ``dashboard.widgets(request)``."""
    widgets = []
    for _label, module in app_modules("dashboard"):
        provider = getattr(module, "widgets", None)
        if provider is not None:
            widgets.extend(provider(request))
    widgets.sort(key=lambda w: w.get("order", 100))
    return render(request, "core/home.html", {"widgets": widgets, "title": _("Overview")})


@login_required
def changelog(request):
    """The whole change log, restricted to the user's region."""
    if not request.user.has_perm("core.view_changelog") and not request.user.is_superuser:
        profile = getattr(request.user, "profile", None)
        if profile is None or profile.role not in ("leader", "county_staff"):
            return render(request, "core/forbidden.html", status=403)
    qs = ChangeLog.objects.for_user(request.user).select_related("content_type")
    if request.GET.get("user"):
        qs = qs.filter(user_name=request.GET["user"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/changelog.html", {"page": page, "title": _("Change log")})


@login_required
def notifications(request):
    qs = request.user.notifications.all()
    if request.method == "POST":
        qs.filter(read=False).update(read=True)
        return redirect("core:notifications")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page, "title": _("Notifications")})


@login_required
def notification_open(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    note.read = True
    note.save(update_fields=["read"])
    return redirect(note.url or "core:notifications")


def healthz(request):
    """Liveness and readiness for load balancers: 200 when the database answers, else 503 (JSON)."""
    from django.http import JsonResponse

    from .health import status

    ok, checks = status()
    return JsonResponse({"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503,
                        json_dumps_params={"ensure_ascii": False})


@functools.cache
def _file_fields():
    """(model, field name) of every file field of the Qingshan apps (fixed once the apps are loaded)."""
    from django.apps import apps
    from django.db import models

    return [(m, f.name) for m in apps.get_models() if m.__module__.startswith("qingshan.")
            for f in m._meta.fields if isinstance(f, models.FileField)]


@login_required
def media(request, path):
    """Uploaded files (photos, attachments, evidence, archived reports), served only to users whose
    region scope reaches the record that holds the file: the same rule as every page (404 otherwise)."""
    from django.http import FileResponse, Http404

    if ".." in path.split("/") or path.startswith("/"):
        raise Http404
    for model, name in _file_fields():
        obj = model._default_manager.filter(**{name: path}).only("pk", name).first()
        if obj is None:
            continue
        scoped = getattr(model.objects, "for_user", None)
        allowed = scoped(request.user).filter(pk=obj.pk).exists() if scoped else request.user.is_superuser
        if not allowed:
            continue
        try:
            return FileResponse(getattr(obj, name).open("rb"), filename=path.rsplit("/", 1)[-1])
        except FileNotFoundError:
            raise Http404 from None
    raise Http404
