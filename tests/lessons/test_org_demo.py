"""The demo school and business that `make run` seeds after the demo accounts."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from lessons.models import Assignment, Group, Membership, Organisation
from lessons.organisations.demo import seed_demo_organisations
from lessons.organisations.selectors import administered_organisations, learner_groups, managed_groups
from tests.factories import course_with_lessons

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts(settings):
    settings.DEBUG = True  # demo accounts refuse to exist outside development
    output = io.StringIO()
    call_command("create_demo_accounts", stdout=output)
    call_command("load_demo_organisations", stdout=output)
    return output.getvalue()


def test_without_the_curriculum_the_command_seeds_people_and_says_what_it_skipped(demo_accounts):
    assert "Tallinn Demo School: course 'ai-basics' is not loaded yet" in demo_accounts
    assert "Northwind Demo Ltd: course 'ai-at-work' is not loaded yet" in demo_accounts
    assert not Assignment.objects.exists()
    assert [g.name for g in learner_groups(user("student"))] == ["Class 9B"]


def test_with_the_courses_loaded_both_organisations_are_complete_and_seeding_is_idempotent(demo_accounts):
    basics, _ = course_with_lessons(title="AI basics", slug="ai-basics")
    at_work, _ = course_with_lessons(title="AI at work", slug="ai-at-work")
    notes = []
    seed_demo_organisations(report=notes.append)
    seed_demo_organisations(report=notes.append)

    school = Organisation.objects.get(name="Tallinn Demo School")
    business = Organisation.objects.get(name="Northwind Demo Ltd")
    assert (school.kind, business.kind) == ("school", "business")
    class_9b = Group.objects.get(organisation=school, name="Class 9B")
    team = Group.objects.get(organisation=business)
    assert list(managed_groups(user("teacher"))) == [class_9b]
    assert list(learner_groups(user("student"))) == [class_9b]
    assert list(administered_organisations(user("manager"))) == [business]
    assert set(managed_groups(user("manager"))) == {team}
    assert Membership.objects.filter(group=team, user__username="manager", role="teacher").exists()

    assert Assignment.objects.get(group=class_9b).course == basics
    assert Assignment.objects.get(group=class_9b).due_date is not None
    assert Assignment.objects.get(group=team).course == at_work
    assert Assignment.objects.count() == 2 and Group.objects.count() == 2 and Membership.objects.count() == 4
    assert [e.course for e in user("student").enrolments.all()] == [basics], "as joining the class would"
    assert not user("teacher").enrolments.exists()
    assert any("Class 9B (join code CLASS9B) has 'AI basics' assigned" in note for note in notes)


def user(username):
    return get_user_model().objects.get(username=username)
