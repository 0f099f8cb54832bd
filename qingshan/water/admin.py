from django.contrib import admin

from qingshan.core.admin import ScopedAdmin

from .models import CompensationAssignment, CompensationScheme, Sample, Section, ShareTarget, WaterBody

for _model in (WaterBody, Section, Sample, CompensationScheme, CompensationAssignment, ShareTarget):
    admin.site.register(_model, ScopedAdmin)
