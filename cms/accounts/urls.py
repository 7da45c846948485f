from django.urls import path

from . import views

app_name = "account"
urlpatterns = [
    path("", views.account, name="home"),
    path("data/", views.download_data, name="download"),
    path("delete/", views.delete, name="delete"),
]
