"""The API's routes alone, without the site's language-prefixed ones: see api.middleware."""

from django.urls import include, path

urlpatterns = [path("api/", include("api.urls"))]
