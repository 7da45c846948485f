from django.urls import include, path

app_name = "tutor"
urlpatterns = [
    path("oversight/", include("tutor.oversight_urls")),
]
