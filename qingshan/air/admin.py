from django.contrib import admin

from qingshan.core.admin import ScopedAdmin

from .models import HeavyPollutionAlert, Station

admin.site.register(Station, ScopedAdmin)
admin.site.register(HeavyPollutionAlert, ScopedAdmin)
