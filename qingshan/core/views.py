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
