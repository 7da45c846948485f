from django.urls import include, path

from tutor.answering import views

app_name = "tutor"
urlpatterns = [
    path("lessons/<int:page_id>/ask/", views.ask, name="ask"),
    path("lessons/<int:page_id>/conversation/", views.conversation, name="conversation"),
    path("messages/<int:message_id>/feedback/", views.feedback, name="feedback"),
    path("oversight/", include("tutor.oversight.urls")),
]
