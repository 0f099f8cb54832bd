from django.urls import path

from . import views

app_name = "air"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("ranking/", views.ranking, name="ranking"),
    path("import/", views.import_view, name="import"),
    path("stations/<int:pk>/hourly/", views.station_hourly, name="station_hourly"),
    path("alerts/forecast/", views.forecast, name="forecast"),
    *[p for vs in views.VIEWSETS for p in vs.urls()],
]
