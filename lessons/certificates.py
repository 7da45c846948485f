"""Certificates: issued once when a learner completes every lesson of a course.

The certificate copies the learner's name and the course title at the moment of issue, so the
public verification page shows exactly what the printed certificate says and nothing else.
"""

from django.db import IntegrityError, transaction

from lessons.models import Certificate, CoursePage


def learner_display_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def issue_certificate(*, user, course: CoursePage) -> Certificate:
    """Return the learner's certificate for ``course``, creating it the first time."""
    existing = Certificate.objects.filter(user=user, course=course).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                user=user, course=course, learner_name=learner_display_name(user), course_title=course.title
            )
    except IntegrityError:
        # A concurrent request issued it first; the unique constraint keeps it to one.
        return Certificate.objects.get(user=user, course=course)
