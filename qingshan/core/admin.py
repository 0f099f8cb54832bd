from django.contrib import admin

from .models import ApiToken, ChangeLog, JobRun


class ScopedAdmin(admin.ModelAdmin):
    """Admin restricted by region scope like every other entry point."""

    def get_queryset(self, request):
        return self.model.objects.for_user(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "for_user"):
            kwargs["queryset"] = related.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    list_display = ["time", "user_name", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "user_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(ApiToken)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Periodic job runs (``qingshan jobs``): read-only."""

    list_display = ["job", "started", "finished", "outcome", "command"]
    list_filter = ["outcome", "job"]
    search_fields = ["job", "output"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
