from django.conf import settings

from .navigation import menus_for


def qingshan(request):
    user = getattr(request, "user", None)
    ctx = {"bureau_name": settings.QINGSHAN_BUREAU_NAME}
    if user is not None and user.is_authenticated:
        ctx["menus"] = menus_for(user)
        ctx["unread_notifications"] = user.notifications.filter(read=False).count()
        profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
        ctx["user_profile"] = profile
    return ctx
