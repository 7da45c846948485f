"""Oversight pages, under /tutor/oversight/ (namespace ``tutor:oversight``)."""

from django.urls import path

from tutor.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    # Two segments, so no organisation slug can shadow it.
    path("me/readings/", views.my_readings, name="my_readings"),
    path("<slug:org>/", views.learners, name="learners"),
    path("<slug:org>/learners/<int:learner_id>/", views.learner, name="learner"),
    path("<slug:org>/conversations/<int:pk>/", views.conversation, name="conversation"),
    path("<slug:org>/flags/", views.flags, name="flags"),
    path("<slug:org>/flags/<int:pk>/review/", views.review_flag, name="review_flag"),
    path("<slug:org>/access-log/", views.access_log, name="access_log"),
    path("<slug:org>/usage/", views.usage, name="usage"),
]
