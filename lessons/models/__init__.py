from .learning import Certificate, Enrolment, LessonProgress, QuizAttempt, ReflectionNote
from .organisations import Assignment, ExportJob, Group, Invitation, Membership, Organisation
from .pages import Competence, CourseIndexPage, CoursePage, CourseTag, LessonPage
from .training_records import AnonymisedTrainingRecord

__all__ = [
    "AnonymisedTrainingRecord",
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
