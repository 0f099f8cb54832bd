from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("enterprise/<int:pk>/", views.enterprise_realtime, name="realtime"),
    path("logger/<int:pk>/history/", views.history, name="history"),
    path("transmission/", views.transmission, name="transmission"),
    path("efficiency/", views.efficiency, name="efficiency"),
    *views.AlarmViews.urls(),
    *views.LoggerRoleViews.urls(),
    *views.ShutdownDeclarationViews.urls(),
    path("ingest/counters/", views.ingest_list, {"page_name": "ingestevent"}, name="ingestevent_list"),
    path("ingest/rejected/", views.ingest_list, {"page_name": "ingestrejection"}, name="ingestrejection_list"),
]
