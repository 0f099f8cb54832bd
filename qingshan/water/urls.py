from django.urls import path

from . import views

app_name = "water"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export_classes, name="export"),
    path("ranking/", views.ranking, name="ranking"),
    path("rivers/", views.rivers, name="rivers"),
    path("drinking/", views.drinking, name="drinking"),
    path("compensation/", views.compensation, name="compensation"),
    path("compensation/recompute/", views.compensation_recompute, name="compensation_recompute"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    *[p for vs in views.VIEWSETS for p in vs.urls()],
]
