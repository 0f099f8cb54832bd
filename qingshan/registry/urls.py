from .views import VIEWSETS

app_name = "registry"

urlpatterns = [p for vs in VIEWSETS for p in vs.urls()]
