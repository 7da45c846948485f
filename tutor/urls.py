from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from tutor.answering import views

app_name = "tutor"
urlpatterns = [
    path("lessons/<int:page_id>/ask/", views.ask, name="ask"),
    path("lessons/<int:page_id>/conversation/", views.conversation, name="conversation"),
    path("messages/<int:message_id>/feedback/", views.feedback, name="feedback"),
    # The panel's JavaScript strings (tutor/locale/*/LC_MESSAGES/djangojs.po) in the URL's language.
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["tutor"]), name="jsi18n"),
    path("oversight/", include("tutor.oversight.urls")),
]
