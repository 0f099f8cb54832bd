from django.urls import path
from django.views.generic import RedirectView

from .views import VIEWSETS

app_name = "registry"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:enterprise_list"), name="index"),
    *[p for vs in VIEWSETS for p in vs.urls()],
]
