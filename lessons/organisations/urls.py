"""Classes, teams, organisations and exports, mounted at /learn/org/ (namespace ``lessons:org``)."""

from django.urls import path

from lessons.organisations import views

app_name = "org"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/sign-up/", views.join_signup, name="join_signup"),
    path("groups/new/", views.group_create, name="group-create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/code/rotate/", views.group_rotate_code, name="group-rotate-code"),
    path("groups/<int:pk>/code/enabled/", views.group_toggle_code, name="group-toggle-code"),
    path("groups/<int:pk>/invite/", views.group_invite, name="group-invite"),
    path(
        "groups/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.group_revoke_invitation,
        name="group-revoke-invitation",
    ),
    path("groups/<int:pk>/assign/", views.group_assign, name="group-assign"),
    path("groups/<int:pk>/progress.csv", views.group_progress_csv, name="group-progress-csv"),
    path("groups/<int:pk>/learners/<int:user_id>/", views.learner_detail, name="learner"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("organisations/<slug:slug>/training-record/", views.training_record, name="training-record"),
    path("organisations/<slug:slug>/training-record.csv", views.training_record_csv, name="training-record-csv"),
    path("organisations/<slug:slug>/exports/", views.export_start, name="export-start"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export-progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
]
