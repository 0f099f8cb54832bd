from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("public/air/", views.air, name="air"),
    path("public/water/", views.water, name="water"),
    path("public/enterprises/", views.enterprises, name="enterprises"),
    path("public/enterprises/<int:pk>/", views.enterprise, name="enterprise"),
    path("public/download/<str:what>.csv", views.download, name="download"),
    path("public/subscribe/", views.subscribe, name="subscribe"),
    path("public/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("public/confirm/<str:token>/", views.confirm, name="confirm"),
    path("public/suggest/", views.suggest, name="suggest"),
    path("portal/outbox/", views.outbox, name="outbox"),
]
