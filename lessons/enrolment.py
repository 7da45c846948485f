"""Enrolling a learner in a course: the one write that starts their learning record."""

from lessons.models import CoursePage, Enrolment


class NotEnrollable(Exception):
    """The course cannot take enrolments (not live)."""


def enrol(*, user, course: CoursePage) -> Enrolment:
    """Enrol ``user`` in a live ``course``; enrolling twice returns the existing enrolment."""
    if not course.live:
        raise NotEnrollable("This course is not open for enrolment.")
    enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course)
    return enrolment
