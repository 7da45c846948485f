"""Progress matrix, overdue learners, completion rates, training record rows, learner assignments."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from lessons.models import Certificate, LessonProgress, Membership
from lessons.organisations.reports import (
    MATRIX_COLUMNS,
    CourseStatus,
    count_training_record_rows,
    group_matrices,
    learner_assignments,
    organisation_completion,
    training_record_rows,
)
from lessons.organisations.selectors import assigned_courses
from tests.factories import (
    GroupFactory,
    assign,
    complete_lesson,
    course,
    course_with_lessons,
    member,
    quiz_attempt,
    translate,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
PAST = datetime.date(2020, 1, 1)
FUTURE = datetime.date(2099, 1, 1)


@pytest.fixture
def classroom():
    group = GroupFactory(name="Class 9B")
    member(group, Role.TEACHER, username="tom")
    ann = member(group, username="ann")
    ben = member(group, username="ben")
    course, lessons = course_with_lessons()
    assign(group, course, due_date=PAST)
    return group, course, lessons, ann, ben


def test_the_matrix_shows_done_best_score_and_attempts_per_learner_and_lesson(classroom):
    group, course, (first, second), ann, ben = classroom
    quiz_attempt(ann, first, 40)
    complete_lesson(ann, first, score=90)  # second attempt, passed
    quiz_attempt(ben, second, 50)

    [matrix] = group_matrices(group)
    assert matrix.assignment.course == course
    assert [lesson.title for lesson in matrix.lessons] == ["What AI is", "How models learn"]
    assert [row.learner.username for row in matrix.rows] == ["ann", "ben"], "teachers are not in the matrix"
    ann_row, ben_row = matrix.rows
    assert [(c.done, c.best_score, c.attempts) for c in ann_row.cells] == [(True, 90, 2), (False, None, 0)]
    assert [(c.done, c.best_score, c.attempts) for c in ben_row.cells] == [(False, None, 0), (False, 50, 1)]


def test_completion_and_overdue_follow_the_due_date(classroom):
    group, course, lessons, ann, ben = classroom
    for lesson in lessons:
        complete_lesson(ann, lesson)
    [matrix] = group_matrices(group)
    assert matrix.completed_count == 1 and matrix.completion_rate == 50
    assert [row.learner for row in matrix.overdue_rows] == [ben], "past due and not completed"
    assert matrix.rows[0].completed_at is not None

    matrix.assignment.due_date = FUTURE
    matrix.assignment.save()
    assert group_matrices(group)[0].overdue_rows == []


def test_an_unpublished_lesson_does_not_count(classroom):
    group, course, (first, second), ann, ben = classroom
    complete_lesson(ann, first)
    second.unpublish()
    [matrix] = group_matrices(group)
    assert [lesson.pk for lesson in matrix.lessons] == [first.pk]
    assert matrix.rows[0].completed_at is not None


def test_training_record_rows_cover_every_learner_and_assignment(classroom):
    group, course, (first, second), ann, ben = classroom
    complete_lesson(ann, first, score=80)
    complete_lesson(ann, second, score=100)
    quiz_attempt(ann, second, 60)
    Certificate.objects.create(user=ann, course=course, learner_name="Ann", course_title=course.title, code="CERT-ANN")

    rows = list(training_record_rows(group.organisation))
    assert count_training_record_rows(group.organisation) == len(rows) == 2
    ann_row, ben_row = rows
    assert (ann_row.learner, ann_row.group, ann_row.course, ann_row.due_date) == (ann, group, course, PAST)
    assert ann_row.best_quiz_score == 90  # mean of best attempts: 80 and 100
    assert ann_row.certificate_code == "CERT-ANN"
    assert ann_row.completed_at is not None
    assert (ben_row.completed_at, ben_row.best_quiz_score, ben_row.certificate_code) == (None, None, "")


def test_training_record_stays_inside_its_organisation(classroom):
    group, course, lessons, ann, ben = classroom
    elsewhere = GroupFactory()
    member(elsewhere, username="outsider")
    assign(elsewhere, course)
    assert {row.learner.username for row in training_record_rows(group.organisation)} == {"ann", "ben"}


def test_courses_assigned_are_counted_once_per_course_whatever_the_language(classroom):
    """The team table, the group page and "Completion by course" all count assigned_courses()."""
    group, english, lessons, ann, ben = classroom
    estonian = translate(english, "et", title="TI alused")
    empty_team = GroupFactory(organisation=group.organisation)  # nobody has joined yet
    assign(empty_team, estonian)
    only_here = course("Prompting")
    assign(empty_team, only_here)

    assert assigned_courses([group]) == [english]
    assert [c.title for c in assigned_courses([empty_team])] == ["Prompting", "TI alused"]
    completion = organisation_completion(group.organisation)
    assert [(row.course.title, row.learners, row.completed) for row in completion] == [
        ("AI basics", 2, 0),
        ("Prompting", 0, 0),
    ]
    assert len(completion) == len(assigned_courses(group.organisation.groups.all()))


def test_completion_by_course_counts_a_learner_in_two_groups_once(classroom):
    group, course, lessons, ann, ben = classroom
    second_group = GroupFactory(organisation=group.organisation)
    member(second_group, user=ann)
    assign(second_group, course)
    for lesson in lessons:
        complete_lesson(ann, lesson)
    [completion] = organisation_completion(group.organisation)
    assert (completion.course, completion.learners, completion.completed, completion.rate) == (course, 2, 1, 50)


def test_a_learner_sees_their_assignments_with_status(classroom):
    group, course, (first, second), ann, ben = classroom
    complete_lesson(ann, first)
    [assignment] = learner_assignments(ann)
    assert (assignment.course, assignment.due_date) == (course, PAST)
    assert assignment.status == CourseStatus(done=1, total=2, started=True, completed_at=None, overdue=True)
    outsider = member(GroupFactory())
    assert learner_assignments(outsider) == []


def test_the_matrix_and_the_dashboard_give_each_learner_the_same_status(classroom):
    """One rule (CourseStatus) and one wording (course_status.html): "not started" until a lesson is opened."""
    group, course, (first, second), ann, ben = classroom
    LessonProgress.objects.create(user=ann, lesson=first, first_read_at=timezone.now())  # opened, not passed
    group.assignments.update(due_date=FUTURE)
    matrix_statuses = {row.learner.username: row.status for row in group_matrices(group)[0].rows}
    for learner in (ann, ben):
        [assignment] = learner_assignments(learner)
        assert assignment.status == matrix_statuses[learner.username]
    assert (matrix_statuses["ann"].started, matrix_statuses["ben"].started) == (True, False)

    template = Template('{% include "lessons/org/includes/course_status.html" %}')
    assert template.render(Context({"status": matrix_statuses["ben"]})).strip() == "not started"
    assert template.render(Context({"status": matrix_statuses["ann"]})).strip() == "0 of 2 lessons done"
    overdue = CourseStatus(done=0, total=2, started=False, completed_at=None, overdue=True)
    assert template.render(Context({"status": overdue})).strip() == "<strong>overdue</strong>, not started"


def test_a_wide_matrix_shows_its_lessons_a_page_of_columns_at_a_time():
    group = GroupFactory()
    titles = [f"Lesson {n}" for n in range(1, MATRIX_COLUMNS + 3)]
    page, lessons = course_with_lessons(lesson_titles=titles)
    assign(group, page)
    ann = member(group)
    complete_lesson(ann, lessons[-1])
    [matrix] = group_matrices(group)

    first = matrix.columns()
    assert (first.first, first.last, first.total, first.previous, first.next) == (1, 8, 10, None, 9)
    assert first.is_partial and [lesson.title for lesson in first.lessons] == titles[:8]
    rest = matrix.columns(first.next)
    assert (rest.first, rest.last, rest.previous, rest.next) == (9, 10, 1, None)
    [(row, cells)] = rest.rows
    assert row.learner == ann and [cell.done for cell in cells] == [False, True]
    assert matrix.columns(99).first == 1, "out of range shows the first lessons"


def test_the_dashboard_include_lists_assignments_and_due_dates(classroom):
    group, course, lessons, ann, ben = classroom
    soon = timezone.localdate() + datetime.timedelta(days=3)
    second_course, _ = course_with_lessons(title="AI at work", lesson_titles=("Tools",))
    assign(group, second_course, due_date=soon)
    request = RequestFactory().get("/en/learn/dashboard/")
    request.user = ben
    html = Template('{% include "lessons/includes/dashboard_assignments.html" %}').render(Context({"request": request}))
    assert "AI basics" in html and "Due 1 Jan 2020" in html and "overdue" in html
    assert "AI at work" in html and f"Due {soon:%-d %b %Y}" in html and "not started" in html
    assert html.index("AI basics") < html.index("AI at work"), "soonest due first"
