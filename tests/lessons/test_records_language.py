"""A course taken in a translation counts for the assignment of its original, and records say the language."""

import pytest

from lessons.learning.services import enrol, record_lesson_visit
from lessons.organisations.reports import group_matrices, learner_assignments, training_record_rows
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_course_taken_in_estonian_is_recorded_as_estonian_against_the_english_assignment(client):
    course = f.course("AI basics")
    lesson = f.lesson(course, "What AI is", body=[f.paragraph("<p>Phones.</p>")])
    course_et = f.translate(course, "et", title="TI alused")
    lesson_et = f.translate(lesson, "et", title="Mis on TI", body=[f.paragraph("<p>Telefonid.</p>")])
    group = f.GroupFactory()
    f.assign(group, course)  # the school assigned the original
    learner = f.member(group, username="kadri", first_name="Kadri", last_name="Kask")

    enrol(user=learner, course=course_et)
    record_lesson_visit(user=learner, lesson=lesson_et)

    certificate = learner.certificates.get()
    assert (certificate.course_title, certificate.language) == ("TI alused", "et")
    (row,) = training_record_rows(group.organisation)
    assert (row.certificate_code, row.language) == (certificate.code, "et")
    assert row.completed_at is not None, "the Estonian lesson counts for the English assignment"
    (matrix,) = group_matrices(group)
    assert [cell.done for cell in matrix.rows[0].cells] == [True]
    (assignment,) = learner_assignments(learner)
    assert (assignment.status.done, assignment.status.total, assignment.status.started) == (1, 1, True)
    page = client.get(f"/en/learn/certificates/verify/{certificate.code}/").content.decode()
    assert "Language of the course" in page and "Estonian" in page
