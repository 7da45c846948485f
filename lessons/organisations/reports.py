"""Reads for teachers, managers and auditors: progress matrix, overdue learners, completion, training record.

Definitions used everywhere (so the matrix, the dashboards and the exports agree):

* a lesson is *done* when its LessonProgress has ``completed_at`` (read and quiz passed);
* a course is *completed* when every live lesson in it is done; the completion date is the
  latest of those lesson completions;
* a learner's *best quiz score* for a course is the mean, over the course's quizzes they
  attempted, of their best attempt (empty when they attempted none);
* a learner is *overdue* on an assignment when its due date has passed and the course is not completed;
* a lesson counts in whichever of its translations the learner took it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from lessons.models import Assignment, Certificate, LessonProgress, QuizAttempt
from lessons.organisations.selectors import group_learners, learner_groups


@dataclass(frozen=True)
class Cell:
    done: bool = False
    best_score: int | None = None
    attempts: int = 0


class ProgressFacts:
    """Lesson completions and quiz results of some users on some lessons, loaded in two queries.

    A lesson counts in any of its translations (same translation key): a school that assigns the
    English course sees a learner who took it in Estonian as done.
    """

    def __init__(self, users, lessons):
        self.lessons = list(lessons)
        user_ids = [user.pk for user in users]
        keys = {lesson.translation_key for lesson in self.lessons}
        self.completed = {}
        for user_id, key, completed_at in LessonProgress.objects.filter(
            user_id__in=user_ids, lesson__translation_key__in=keys, completed_at__isnull=False
        ).values_list("user_id", "lesson__translation_key", "completed_at"):
            earlier = self.completed.get((user_id, key))
            self.completed[(user_id, key)] = min(completed_at, earlier) if earlier else completed_at
        self.quiz = {
            (row["user_id"], row["lesson__translation_key"]): (row["best"], row["attempts"])
            for row in QuizAttempt.objects.filter(user_id__in=user_ids, lesson__translation_key__in=keys)
            .values("user_id", "lesson__translation_key")
            .annotate(best=Max("score_percent"), attempts=Count("id"))
        }

    def cell(self, user, lesson):
        best, attempts = self.quiz.get((user.pk, lesson.translation_key), (None, 0))
        return Cell(done=(user.pk, lesson.translation_key) in self.completed, best_score=best, attempts=attempts)

    def course_completed_at(self, user, lessons) -> datetime | None:
        dates = [self.completed.get((user.pk, lesson.translation_key)) for lesson in lessons]
        return max(dates) if dates and all(dates) else None

    def best_quiz_score(self, user, lessons) -> int | None:
        keys = [(user.pk, lesson.translation_key) for lesson in lessons]
        bests = [self.quiz[key][0] for key in keys if key in self.quiz]
        return round(sum(bests) / len(bests)) if bests else None


@dataclass
class LearnerRow:
    learner: object
    cells: list
    completed_at: datetime | None
    overdue: bool


@dataclass
class CourseMatrix:
    assignment: Assignment
    lessons: list
    rows: list

    @property
    def completed_count(self):
        return sum(1 for row in self.rows if row.completed_at)

    @property
    def completion_rate(self):
        return round(100 * self.completed_count / len(self.rows)) if self.rows else 0

    @property
    def overdue_rows(self):
        return [row for row in self.rows if row.overdue]


def is_overdue(assignment, completed_at, today: date):
    return bool(assignment.due_date and not completed_at and assignment.due_date < today)


def group_assignments(group):
    return list(group.assignments.select_related("course").order_by("due_date", "course__title"))


def group_matrices(group, learners=None):
    """Per assigned course: learners × lessons (done, best quiz score, attempts) and who is overdue."""
    learners = group_learners(group) if learners is None else learners
    assignments = group_assignments(group)
    lessons_by_assignment = {a.pk: list(a.course.lessons()) for a in assignments}
    facts = ProgressFacts(learners, [lesson for lessons in lessons_by_assignment.values() for lesson in lessons])
    today = timezone.localdate()
    matrices = []
    for assignment in assignments:
        lessons = lessons_by_assignment[assignment.pk]
        rows = []
        for learner in learners:
            completed_at = facts.course_completed_at(learner, lessons)
            cells = [facts.cell(learner, lesson) for lesson in lessons]
            rows.append(LearnerRow(learner, cells, completed_at, is_overdue(assignment, completed_at, today)))
        matrices.append(CourseMatrix(assignment, lessons, rows))
    return matrices


@dataclass
class CourseCompletion:
    course: object
    learners: int
    completed: int

    @property
    def rate(self):
        return round(100 * self.completed / self.learners) if self.learners else 0


def organisation_completion(organisation):
    """Completion by course across the organisation; a learner in two groups with the same course counts once."""
    by_course = {}
    for record in training_record_rows(organisation):
        entry = by_course.setdefault(record.course.pk, (record.course, {}))
        entry[1][record.learner.pk] = entry[1].get(record.learner.pk) or bool(record.completed_at)
    return [
        CourseCompletion(course, len(done_by_learner), sum(done_by_learner.values()))
        for course, done_by_learner in sorted(by_course.values(), key=lambda item: item[0].title)
    ]


@dataclass
class TrainingRecordRow:
    learner: object
    group: object
    course: object
    assigned_at: datetime
    due_date: date | None
    completed_at: datetime | None
    best_quiz_score: int | None
    certificate_code: str
    language: str = ""  # the language the course was taken in (from the certificate), "" until then


# Column titles in the reader's language (the cells stay ISO dates, numbers and codes).
TRAINING_RECORD_HEADER = [
    pgettext_lazy("CSV column", "learner"),
    pgettext_lazy("CSV column", "username"),
    pgettext_lazy("CSV column", "email"),
    pgettext_lazy("CSV column", "group"),
    pgettext_lazy("CSV column", "course"),
    pgettext_lazy("CSV column", "assigned"),
    pgettext_lazy("CSV column", "due"),
    pgettext_lazy("CSV column", "completed"),
    pgettext_lazy("CSV column", "best quiz score (%)"),
    pgettext_lazy("CSV column", "certificate code"),
    pgettext_lazy("CSV column", "language"),
]


def count_training_record_rows(organisation):
    """One row per (learner, assignment) pair in the organisation."""
    return sum(group.assignments.count() * len(group_learners(group)) for group in organisation.groups.all())


def training_record_rows(organisation):
    """Yield the training record one row at a time (groups, then courses, then learners, alphabetically)."""
    for group in organisation.groups.order_by("name"):
        learners = group_learners(group)
        assignments = group_assignments(group)
        lessons_by_course = {a.course_id: list(a.course.lessons()) for a in assignments}
        facts = ProgressFacts(learners, [lesson for lessons in lessons_by_course.values() for lesson in lessons])
        # A learner may take the course in any of its translations: match certificates by translation key.
        certificates = {
            (user_id, key): (code, language)
            for user_id, key, code, language in Certificate.objects.filter(
                user__in=learners, course__translation_key__in=[a.course.translation_key for a in assignments]
            ).values_list("user_id", "course__translation_key", "code", "language")
        }
        for assignment in assignments:
            lessons = lessons_by_course[assignment.course_id]
            for learner in learners:
                yield TrainingRecordRow(
                    learner=learner,
                    group=group,
                    course=assignment.course,
                    assigned_at=assignment.assigned_at,
                    due_date=assignment.due_date,
                    completed_at=facts.course_completed_at(learner, lessons),
                    best_quiz_score=facts.best_quiz_score(learner, lessons),
                    certificate_code=certificates.get((learner.pk, assignment.course.translation_key), ("", ""))[0],
                    language=certificates.get((learner.pk, assignment.course.translation_key), ("", ""))[1],
                )


def learner_assignments(user):
    """A learner's assignments across all their groups, soonest due first, each with its status."""
    assignments = list(
        Assignment.objects.filter(group__in=learner_groups(user))
        .select_related("course", "group__organisation")
        .order_by("due_date", "course__title")
    )
    courses = {a.course_id: a.course for a in assignments}
    lessons_by_course = {pk: list(course.lessons()) for pk, course in courses.items()}
    facts = ProgressFacts([user], [lesson for lessons in lessons_by_course.values() for lesson in lessons])
    started = set(
        LessonProgress.objects.filter(
            user=user, lesson__translation_key__in=[lesson.translation_key for lesson in facts.lessons]
        ).values_list("lesson__translation_key", flat=True)
    )
    today = timezone.localdate()
    for assignment in assignments:
        lessons = lessons_by_course[assignment.course_id]
        assignment.completed_at = facts.course_completed_at(user, lessons)
        assignment.done_count = sum(facts.cell(user, lesson).done for lesson in lessons)
        assignment.lesson_count = len(lessons)
        assignment.is_overdue = is_overdue(assignment, assignment.completed_at, today)
        assignment.is_started = any(lesson.translation_key in started for lesson in lessons)
    return assignments
