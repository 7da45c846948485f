from .learning import Certificate, Enrolment, LessonProgress, QuizAttempt, ReflectionNote
from .organisations import Assignment, ExportJob, Group, Invitation, Membership, Organisation
from .pages import Competence, CourseIndexPage, CoursePage, CourseTag, LessonPage

__all__ = [
    "Assignment",
    "ExportJob",
    "Group",
    "Invitation",
    "Membership",
    "Organisation",
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
