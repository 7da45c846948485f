"""Reads for teachers, managers and auditors: progress matrix, overdue learners, completion, training record.

Definitions used everywhere (so the matrix, the dashboards and the exports agree):

* a lesson is *done* when its LessonProgress has ``completed_at`` (read and quiz passed);
* a course is *completed* when every live lesson in it is done; the completion date is the
  latest of those lesson completions;
* a learner's *best quiz score* for a course is the mean, over the course's quizzes they
  attempted, of their best attempt (empty when they attempted none);
* a learner is *overdue* on an assignment when its due date has passed and the course is not completed;
* a learner has *started* a course once they have opened one of its lessons (being enrolled, which
  joining a group does, is not starting);
* a lesson counts in whichever of its translations the learner took it.

``CourseStatus`` applies these rules once, for the teacher's matrix and the learner's dashboard alike.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import pgettext

from lessons.models import Assignment, Certificate, LessonProgress, QuizAttempt
from lessons.organisations.selectors import assigned_courses, group_learners, learner_groups
from lessons.organisations.wording import wording_for

# A progress matrix shows this many lesson columns at a time; the page says which and links to the others.
MATRIX_COLUMNS = 8


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
        self.opened = set()
        self.completed = {}
        for user_id, key, completed_at in LessonProgress.objects.filter(
            user_id__in=user_ids, lesson__translation_key__in=keys
        ).values_list("user_id", "lesson__translation_key", "completed_at"):
            self.opened.add((user_id, key))
            if completed_at:
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

    def course_status(self, user, lessons, assignment, today: date) -> "CourseStatus":
        completed_at = self.course_completed_at(user, lessons)
        return CourseStatus(
            done=sum((user.pk, lesson.translation_key) in self.completed for lesson in lessons),
            total=len(lessons),
            started=any((user.pk, lesson.translation_key) in self.opened for lesson in lessons),
            completed_at=completed_at,
            overdue=bool(assignment.due_date and not completed_at and assignment.due_date < today),
        )


@dataclass(frozen=True)
class CourseStatus:
    """Where one learner stands on one assigned course; ``lessons/org/includes/course_status.html`` words it."""

    done: int
    total: int
    started: bool
    completed_at: datetime | None
    overdue: bool


@dataclass
class LearnerRow:
    learner: object
    cells: list
    status: CourseStatus

    @property
    def completed_at(self):
        return self.status.completed_at

    @property
    def overdue(self):
        return self.status.overdue


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

    def columns(self, first=1):
        """Up to MATRIX_COLUMNS lessons from lesson number ``first`` (1-based; out of range means the first)."""
        total = len(self.lessons)
        start = first - 1 if 1 <= first <= total else 0
        end = min(start + MATRIX_COLUMNS, total)
        return MatrixColumns(
            first=start + 1,
            last=end,
            total=total,
            lessons=self.lessons[start:end],
            rows=[(row, row.cells[start:end]) for row in self.rows],
            previous=max(start + 1 - MATRIX_COLUMNS, 1) if start else None,
            next=end + 1 if end < total else None,
        )


@dataclass(frozen=True)
class MatrixColumns:
    """The lesson columns of a matrix on screen: which of how many, and where the previous and next ones start."""

    first: int
    last: int
    total: int
    lessons: list
    rows: list  # (LearnerRow, its cells for these lessons)
    previous: int | None
    next: int | None

    @property
    def is_partial(self):
        return self.last - self.first + 1 < self.total


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
        rows = [
            LearnerRow(
                learner,
                [facts.cell(learner, lesson) for lesson in lessons],
                facts.course_status(learner, lessons, assignment, today),
            )
            for learner in learners
        ]
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
    """Completion by course across the organisation, one row per assigned course (``assigned_courses``).

    A learner in two groups with the same course (in any of its languages) counts once; a course
    assigned only to groups without learners yet shows 0 of 0.
    """
    courses = assigned_courses(organisation.groups.all())
    done_by_course = {course.translation_key: {} for course in courses}
    for record in training_record_rows(organisation):
        done_by_learner = done_by_course[record.course.translation_key]
        done_by_learner[record.learner.pk] = done_by_learner.get(record.learner.pk) or bool(record.completed_at)
    return [
        CourseCompletion(
            course, len(done_by_course[course.translation_key]), sum(done_by_course[course.translation_key].values())
        )
        for course in courses
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
    status: CourseStatus | None = None  # lessons done of how many, started, overdue (for the REST API)


def training_record_header(organisation):
    """Column titles in the reader's language and the organisation's words; the cells stay ISO dates, numbers, codes."""
    words = wording_for(organisation)
    return [
        words.csv_member,
        pgettext("CSV column", "username"),
        pgettext("CSV column", "email"),
        words.csv_group,
        pgettext("CSV column", "course"),
        pgettext("CSV column", "assigned"),
        pgettext("CSV column", "due"),
        pgettext("CSV column", "completed"),
        pgettext("CSV column", "best quiz score (%)"),
        pgettext("CSV column", "certificate code"),
        pgettext("CSV column", "language"),
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
        today = timezone.localdate()
        for assignment in assignments:
            lessons = lessons_by_course[assignment.course_id]
            for learner in learners:
                status = facts.course_status(learner, lessons, assignment, today)
                yield TrainingRecordRow(
                    learner=learner,
                    group=group,
                    course=assignment.course,
                    assigned_at=assignment.assigned_at,
                    due_date=assignment.due_date,
                    completed_at=status.completed_at,
                    best_quiz_score=facts.best_quiz_score(learner, lessons),
                    certificate_code=certificates.get((learner.pk, assignment.course.translation_key), ("", ""))[0],
                    language=certificates.get((learner.pk, assignment.course.translation_key), ("", ""))[1],
                    status=status,
                )


def learner_assignments(user):
    """A learner's assignments across all their groups, soonest due first, each with its ``status`` (CourseStatus)."""
    assignments = list(
        Assignment.objects.filter(group__in=learner_groups(user))
        .select_related("course", "group__organisation")
        .order_by("due_date", "course__title")
    )
    courses = {a.course_id: a.course for a in assignments}
    lessons_by_course = {pk: list(course.lessons()) for pk, course in courses.items()}
    facts = ProgressFacts([user], [lesson for lessons in lessons_by_course.values() for lesson in lessons])
    today = timezone.localdate()
    for assignment in assignments:
        assignment.status = facts.course_status(user, lessons_by_course[assignment.course_id], assignment, today)
    return assignments
