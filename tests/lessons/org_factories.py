"""Builders for organisation tests: organisations, groups, people in roles, a course with quizzes, results."""

import factory
from django.utils import timezone

from lessons.models import Assignment, Group, LessonProgress, Membership, Organisation, QuizAttempt
from tests.lessons import factories as pages
from tests.lessons.factories import UserFactory

Role = Membership.Role


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.SCHOOL


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Class {n}")


def member(group, role=Role.LEARNER, user=None, **user_fields):
    """A user (new unless given) with ``role`` in ``group``."""
    user = user or UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=group.organisation, group=group, role=role)
    return user


def org_admin(organisation, user=None, **user_fields):
    user = user or UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=organisation, group=None, role=Role.ADMIN)
    return user


def assign(group, course, due_date=None):
    return Assignment.objects.create(group=group, course=course, due_date=due_date)


def single_question_quiz():
    return pages.quiz(
        [("Which one is AI?", "single", [("A chatbot", True, "Yes."), ("A stone", False, "No.")], "Because.")]
    )


def course_with_lessons(title="AI basics", slug=None, lesson_titles=("What AI is", "How models learn")):
    """A published course whose lessons each end in a one-question quiz."""
    course = pages.course(title=title, slug=slug)
    lessons = [
        pages.lesson(course, title=lesson_title, body=[pages.paragraph("<p>Text.</p>"), single_question_quiz()])
        for lesson_title in lesson_titles
    ]
    return course, lessons


def quiz_attempt(user, lesson, score, passed=None):
    return QuizAttempt.objects.create(
        user=user,
        lesson=lesson,
        quiz_block_id="quiz",
        score_percent=score,
        passed=score >= 70 if passed is None else passed,
        correct_count=1 if score >= 70 else 0,
        question_count=1,
    )


def complete_lesson(user, lesson, score=100, when=None):
    """The outcome of reading a lesson and passing its quiz, as stored by the progress service."""
    quiz_attempt(user, lesson, score)
    when = when or timezone.now()
    return LessonProgress.objects.create(user=user, lesson=lesson, first_read_at=when, completed_at=when)
