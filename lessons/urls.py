from django.urls import include, path

from lessons.learning import views

app_name = "lessons"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("courses/<int:course_id>/enrol/", views.enrol_in_course, name="enrol"),
    path("lessons/<int:lesson_id>/quizzes/<str:quiz_block_id>/", views.quiz, name="quiz"),
    path("attempts/<int:attempt_id>/", views.quiz_attempt, name="quiz_attempt"),
    path("lessons/<int:lesson_id>/notes/<str:block_id>/", views.reflection_note, name="reflection_note"),
    path("certificates/verify/<str:code>/", views.verify_certificate, name="verify_certificate"),
    path("certificates/<str:code>/", views.certificate, name="certificate"),
    path("org/", include("lessons.organisations.urls")),
]
