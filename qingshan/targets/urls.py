from . import views

app_name = "targets"

urlpatterns = [*views.urlpatterns, *(p for vs in views.VIEWSETS for p in vs.urls())]
