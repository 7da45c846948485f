"""What a business keeps of a deleted learner's training (EU AI Act art. 4), and what nobody keeps."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from cms.accounts.services import delete_account
from lessons.models import AnonymisedTrainingRecord, Certificate, Organisation
from lessons.organisations.exports import write_training_record
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    assign,
    complete_lesson,
    course_with_lessons,
    member,
    org_admin,
    quiz_attempt,
)

pytestmark = pytest.mark.django_db


def business_team(name="Northwind"):
    organisation = OrganisationFactory(name=name, kind=Organisation.Kind.BUSINESS)
    return GroupFactory(organisation=organisation, name="Support")


def completed(user, course_lessons, score=80):
    for lesson in course_lessons:
        complete_lesson(user, lesson, score=score)


def test_a_business_keeps_a_nameless_row_per_completed_course_and_nothing_else():
    team = business_team()
    done, done_lessons = course_with_lessons(title="AI at work", slug="ai-at-work")
    started, started_lessons = course_with_lessons(title="Prompting", slug="prompting")
    assign(team, done, due_date=datetime.date(2030, 6, 30))
    assign(team, started)
    ann = member(team, username="ann", first_name="Ann", last_name="Able")
    completed(ann, done_lessons, score=90)
    quiz_attempt(ann, started_lessons[0], 40)
    Certificate.objects.create(user=ann, course=done, learner_name="Ann Able", course_title="AI at work", language="et")

    delete_account(ann)

    (record,) = AnonymisedTrainingRecord.objects.all()
    assert (record.organisation, record.course, record.course_title) == (team.organisation, done, "AI at work")
    assert (record.completed_on, record.due_date, record.best_quiz_score, record.language) == (
        datetime.date.today(),
        datetime.date(2030, 6, 30),
        90,
        "et",
    )
    # Nothing that says who: no user, name, e-mail, group or certificate code anywhere on the row.
    values = {str(getattr(record, field.attname)) for field in AnonymisedTrainingRecord._meta.fields}
    assert not {"ann", "Ann", "Ann Able", "Support"} & values
    assert Certificate.objects.get().code not in values


def test_a_course_assigned_to_two_of_the_learners_teams_is_kept_once():
    team = business_team()
    other_team = GroupFactory(organisation=team.organisation, name="Sales")
    course, lessons = course_with_lessons()
    assign(team, course)
    assign(other_team, course)
    ann = member(team, username="ann")
    member(other_team, user=ann)
    completed(ann, lessons)
    delete_account(ann)
    assert AnonymisedTrainingRecord.objects.count() == 1


def test_schools_and_courses_taken_on_ones_own_keep_nothing():
    school_class = GroupFactory(organisation=OrganisationFactory(kind=Organisation.Kind.SCHOOL))
    course, lessons = course_with_lessons()
    assign(school_class, course)
    pupil = member(school_class)
    completed(pupil, lessons)
    business_member = member(business_team())  # in a business, but the course was not assigned there
    completed(business_member, lessons)
    delete_account(pupil)
    delete_account(business_member)
    assert not AnonymisedTrainingRecord.objects.exists()


def test_the_training_record_lists_the_kept_rows_to_its_own_admins_only(client):
    team, elsewhere = business_team(), business_team("Southwind")
    course, lessons = course_with_lessons(title="AI at work")
    assign(team, course)
    ann = member(team, username="ann", first_name="Ann", last_name="Able")
    completed(ann, lessons)
    delete_account(ann)

    client.force_login(org_admin(team.organisation))
    page = client.get(reverse("lessons:org:training-record", args=[team.organisation.slug])).content.decode()
    assert "Completed by people who have deleted their account" in page and "AI at work" in page
    content = write_training_record(team.organisation)
    (kept,) = csv.DictReader(io.StringIO(content))  # Ann's named row went with her membership
    assert list(kept.values())[:5] == ["(deleted account)", "", "", "", "AI at work"]
    assert kept["completed"] == datetime.date.today().isoformat() and kept["certificate code"] == ""
    assert "Ann" not in page + content

    client.force_login(org_admin(elsewhere.organisation))
    other = client.get(reverse("lessons:org:training-record", args=[elsewhere.organisation.slug])).content.decode()
    assert "Completed by people who have deleted their account" not in other
    assert client.get(reverse("lessons:org:training-record", args=[team.organisation.slug])).status_code == 404
