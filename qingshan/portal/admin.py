from django.contrib import admin

from .models import Outbox, Subscription, Suggestion

admin.site.register(Subscription, list_display=("__str__", "created", "notified_until", "active"))
admin.site.register(Outbox, list_display=("to", "subject", "created", "sent"))
admin.site.register(Suggestion, list_display=("name", "created"))
