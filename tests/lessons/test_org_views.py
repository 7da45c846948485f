"""The org pages as a teacher, learner and admin use them: forms, messages and clear errors."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from lessons.models import Assignment, Group, Invitation, Membership
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    UserFactory,
    assign,
    complete_lesson,
    course_with_lessons,
    member,
    org_admin,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
JOIN = reverse("lessons:org:join")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_learner_joins_with_the_code_and_sees_the_class(client):
    group = GroupFactory(name="Class 9B")
    client.force_login(UserFactory())
    response = client.post(JOIN, {"code": group.join_code.lower()}, follow=True)
    assert b"You joined Class 9B" in response.content
    assert b"Class 9B" in client.get(reverse("lessons:org:home")).content


@pytest.mark.parametrize(
    ("code", "message"),
    [("WRONG123", b"does not match any class"), ("", b"This field is required"), ("x" * 41, b"at most 40")],
)
def test_a_bad_code_is_a_form_error(client, code, message):
    GroupFactory()
    client.force_login(UserFactory())
    response = client.post(JOIN, {"code": code})
    assert response.status_code == 400
    assert message in response.content


def test_a_rotated_code_and_a_disabled_code_give_clear_messages(client):
    group = GroupFactory()
    teacher = member(group, Role.TEACHER)
    old_code = group.join_code
    client.force_login(teacher)
    client.post(reverse("lessons:org:group-rotate-code", args=[group.pk]))
    client.post(reverse("lessons:org:group-toggle-code", args=[group.pk]))
    group.refresh_from_db()
    assert group.join_code != old_code and not group.join_code_enabled

    client.force_login(UserFactory())
    assert b"does not match any class" in client.post(JOIN, {"code": old_code}).content
    response = client.post(JOIN, {"code": group.join_code})
    assert response.status_code == 400 and b"not accepting new members by code" in response.content
    assert group.memberships.filter(role=Role.LEARNER).count() == 0


def test_guessing_codes_is_rate_limited(client):
    client.force_login(UserFactory())
    for _ in range(10):
        assert client.post(JOIN, {"code": "NOPE0000"}).status_code == 400
    response = client.post(JOIN, {"code": GroupFactory().join_code})
    assert response.status_code == 429 and b"Too many wrong codes" in response.content


def test_a_teacher_creates_a_class_and_lands_on_it_with_the_code(client):
    organisation = OrganisationFactory()
    teacher = UserFactory()
    Membership.objects.create(user=teacher, organisation=organisation, role=Role.TEACHER)
    client.force_login(teacher)
    response = client.post(
        reverse("lessons:org:group-create"), {"organisation": organisation.pk, "name": "Class 7A"}, follow=True
    )
    group = Group.objects.get(name="Class 7A")
    assert group.organisation == organisation
    assert group.join_code.encode() in response.content
    assert b"Class 7A" in client.get(reverse("lessons:org:home")).content


def test_a_blank_class_name_is_a_form_error(client):
    organisation = OrganisationFactory()
    client.force_login(org_admin(organisation))
    response = client.post(reverse("lessons:org:group-create"), {"organisation": organisation.pk, "name": "   "})
    assert response.status_code == 400 and not organisation.groups.exists()


def test_inviting_sends_a_link_that_joins_after_log_in(client, django_capture_on_commit_callbacks):
    group = GroupFactory(name="Team Blue")
    client.force_login(member(group, Role.TEACHER))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lessons:org:group-invite", args=[group.pk]), {"email": "new@example.org"})
    invitation = Invitation.objects.get()
    assert invitation.token in mail.outbox[0].body

    client.logout()
    accept_url = reverse("lessons:org:invitation", args=[invitation.token])
    page = client.get(accept_url)
    assert b"Log in to accept" in page.content and b"sign up" in page.content
    assert client.post(accept_url).status_code == 200
    assert not group.memberships.filter(role=Role.LEARNER).exists()

    newcomer = UserFactory()
    client.force_login(newcomer)
    response = client.post(accept_url, follow=True)
    assert b"You joined Team Blue" in response.content
    assert Membership.objects.get(user=newcomer).group == group

    client.force_login(UserFactory())
    response = client.post(accept_url)
    assert response.status_code == 400 and b"already been used" in response.content


def test_a_failing_mail_server_invites_nobody_and_says_so(client, monkeypatch):
    group = GroupFactory()
    client.force_login(member(group, Role.TEACHER))

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("lessons.organisations.services.send_mail", refuse)
    response = client.post(reverse("lessons:org:group-invite", args=[group.pk]), {"email": "new@example.org"})
    assert response.status_code == 503
    assert b"could not be sent just now, so nobody was invited" in response.content
    assert not Invitation.objects.exists()


def test_an_unknown_invitation_token_is_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("lessons:org:invitation", args=["no-such-token"])).status_code == 404


def test_a_teacher_assigns_a_course_with_a_due_date(client):
    group = GroupFactory()
    course, _ = course_with_lessons()
    client.force_login(member(group, Role.TEACHER))
    response = client.post(
        reverse("lessons:org:group-assign", args=[group.pk]),
        {"course": course.pk, "due_date": "2030-05-31"},
        follow=True,
    )
    assert Assignment.objects.get(group=group).due_date == datetime.date(2030, 5, 31)
    assert b"Assigned AI basics" in response.content and b"due 31 May 2030" in response.content


def test_a_bad_due_date_is_a_form_error(client):
    group = GroupFactory()
    course, _ = course_with_lessons()
    client.force_login(member(group, Role.TEACHER))
    response = client.post(
        reverse("lessons:org:group-assign", args=[group.pk]), {"course": course.pk, "due_date": "soon"}
    )
    assert response.status_code == 400 and b"Enter a valid date" in response.content
    assert not Assignment.objects.exists()


def test_the_group_page_shows_the_matrix_and_drills_down_to_one_learner(client):
    group = GroupFactory()
    course, (first, second) = course_with_lessons()
    assign(group, course, due_date=datetime.date(2020, 1, 1))
    ann = member(group, first_name="Ann", last_name="Example")
    member(group, first_name="Ben", last_name="Late")
    complete_lesson(ann, first, score=80)
    client.force_login(member(group, Role.TEACHER))

    html = client.get(reverse("lessons:org:group", args=[group.pk])).content.decode()
    assert "Completed by 0 of 2 learners (0%)" in html
    assert "Overdue: Ann Example, Ben Late" in html
    assert "80%" in html and "(1 attempt)" in html

    detail = client.get(reverse("lessons:org:learner", args=[group.pk, ann.pk])).content.decode()
    assert "Ann Example" in detail and "80%" in detail and "Ben Late" not in detail


def test_the_organisation_page_shows_groups_and_completion_by_course(client):
    group = GroupFactory(name="Support team")
    course, lessons = course_with_lessons(title="AI at work")
    assign(group, course)
    done = member(group)
    member(group)
    for lesson in lessons:
        complete_lesson(done, lesson)
    client.force_login(org_admin(group.organisation))
    html = client.get(reverse("lessons:org:organisation", args=[group.organisation.slug])).content.decode()
    assert "Support team" in html
    assert '<th scope="row">AI at work</th><td>2</td><td>1</td><td>50%</td>' in html


def test_nav_offers_my_classes_to_staff_and_join_to_learners(client):
    group = GroupFactory()
    client.force_login(member(group))
    home = client.get(reverse("lessons:org:home")).content
    assert b"Join a class</a>" in home and b">My classes</a>" not in home
    client.force_login(member(group, Role.TEACHER))
    assert b">My classes</a>" in client.get(reverse("lessons:org:home")).content
