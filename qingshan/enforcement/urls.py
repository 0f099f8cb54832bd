from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "enforcement"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="enforcement:queue"), name="index"),
    path("queue/", views.queue, name="queue"),
    path("public/draws/", views.public_draws, name="public_draws"),
    path("public/penalties/", views.public_penalties, name="public_penalties"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("inspectiondraw/<int:pk>/run/", views.draw_run, name="draw_run"),
    path("inspectiondraw/<int:pk>/publish/", views.draw_publish, name="draw_publish"),
    path("case/open/<str:app_label>/<str:model_name>/<int:pk>/", views.case_open, name="case_open"),
    path("rectification/<int:pk>/close-out/", views.rectification_close_out, name="rectification_close_out"),
    *[p for vs in views.VIEWSETS for p in vs.urls()],
]
