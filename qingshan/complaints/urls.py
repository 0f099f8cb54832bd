from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "complaints"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="complaints:complaint_list"), name="index"),
    path("report/", views.report, name="report"),
    path("report/<str:ticket>/received/", views.submitted, name="submitted"),
    path("status/", views.status, name="status"),
    path("complaint/<int:pk>/action/", views.complaint_action, name="complaint_action"),
    *[p for vs in views.VIEWSETS for p in vs.urls()],
]
