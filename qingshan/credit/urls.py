from . import views

app_name = "credit"

urlpatterns = [*views.urlpatterns, *(p for vs in views.VIEWSETS for p in vs.urls())]
