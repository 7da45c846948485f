"""What a teacher can pick for an LMS course: the catalogue's live, public courses and their lessons."""

from dataclasses import dataclass

from django.utils import translation
from wagtail.models import Locale

from cms.languages import supported_language
from lessons.learning.selectors import quiz_block_ids
from lessons.models import CoursePage, LessonPage


@dataclass(frozen=True)
class Choice:
    course: CoursePage
    lessons: list


def pickable_courses():
    """Courses (with their lessons) in the current language, or in the site's default one when it has none."""
    courses = CoursePage.objects.live().public().order_by("path")
    language = supported_language(translation.get_language())
    in_language = courses.filter(locale__in=Locale.objects.filter(language_code=language))
    chosen = in_language if in_language.exists() else courses.filter(locale=Locale.get_default())
    return [Choice(course=course, lessons=list(course.lessons().public().specific())) for course in chosen]


def is_graded(page) -> bool:
    """A lesson with a quiz has a score; a course has its share of lessons completed. A reading alone has none."""
    return isinstance(page, CoursePage) or (isinstance(page, LessonPage) and bool(quiz_block_ids(page)))
