from .learning import Certificate, Enrolment, LessonProgress, QuizAttempt, ReflectionNote
from .pages import Competence, CourseIndexPage, CoursePage, CourseTag, LessonPage

__all__ = [
    "Certificate",
    "Competence",
    "CourseIndexPage",
    "CoursePage",
    "CourseTag",
    "Enrolment",
    "LessonPage",
    "LessonProgress",
    "QuizAttempt",
    "ReflectionNote",
]
