"""The org pages as a teacher, learner and admin use them: forms, messages and clear errors."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from lessons.models import Assignment, Enrolment, Group, Invitation, Membership
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
    assert b"Log in to accept" in page.content and b"Create account and join" in page.content
    assert client.post(accept_url).status_code == 400, "an empty sign-up form"
    assert not group.memberships.filter(role=Role.LEARNER).exists()

    newcomer = UserFactory(email="New@example.org")
    client.force_login(newcomer)
    response = client.post(accept_url, follow=True)
    assert b"You joined Team Blue" in response.content
    assert Membership.objects.get(user=newcomer).group == group

    client.force_login(UserFactory(email="new@example.org"))
    response = client.post(accept_url)
    assert response.status_code == 400 and b"already been used" in response.content


def invite(client, group, email="sam@example.org"):
    client.post(reverse("lessons:org:group-invite", args=[group.pk]), {"email": email})
    return Invitation.objects.get(group=group, email=email)


def test_an_invitation_link_opened_in_another_account_is_refused_with_a_clear_message(client):
    group = GroupFactory(name="Team Blue")
    client.force_login(member(group, Role.TEACHER))
    accept_url = reverse("lessons:org:invitation", args=[invite(client, group).token])

    client.logout()
    page = client.get(accept_url).content.decode()
    assert "The invitation is for the e-mail address s***@example.org" in page

    client.force_login(UserFactory(email="mallory@example.org"))
    page = client.get(accept_url).content.decode()
    assert "works only for an account with that e-mail address" in page and "Accept and join" not in page
    response = client.post(accept_url)
    assert response.status_code == 403 and b"You are logged in with mallory@example.org" in response.content
    assert not group.memberships.filter(role=Role.LEARNER).exists()


def test_signing_up_on_the_invitation_page_needs_no_confirmation_mail(client, django_capture_on_commit_callbacks):
    """The e-mailed link proved the address: the account is made with it at once, and joins."""
    group = GroupFactory(name="Team Blue")
    course, _ = course_with_lessons()
    assign(group, course)
    client.force_login(member(group, Role.TEACHER))
    with django_capture_on_commit_callbacks(execute=True):
        accept_url = reverse("lessons:org:invitation", args=[invite(client, group).token])
    client.logout()
    mails_before = len(mail.outbox)

    page = client.get(accept_url).content.decode()
    assert "Create account and join" in page and 'name="email"' not in page, "the address is the invitation's"
    password = "a-long-pass-phrase-2026"
    form = {"username": "sam", "first_name": "Sam", "password1": password, "password2": password}
    mismatch = client.post(accept_url, {**form, "password2": "something-else-2026"})
    assert mismatch.status_code == 400 and not group.memberships.filter(role=Role.LEARNER).exists()

    response = client.post(accept_url, form, follow=True)
    assert b"You joined Team Blue" in response.content
    sam = Membership.objects.get(group=group, role=Role.LEARNER).user
    assert (sam.username, sam.email) == ("sam", "sam@example.org")
    assert response.context["user"] == sam, "signed in"
    assert sam.check_password(password) and Enrolment.objects.filter(user=sam, course=course).exists()
    assert len(mail.outbox) == mails_before, "no confirmation mail: the invitation link was the confirmation"


def test_the_invitation_page_sends_an_existing_account_to_log_in(client):
    group = GroupFactory()
    client.force_login(member(group, Role.TEACHER))
    accept_url = reverse("lessons:org:invitation", args=[invite(client, group).token])
    UserFactory(username="sam-already", email="Sam@example.org")
    client.logout()
    password = "a-long-pass-phrase-2026"
    response = client.post(
        accept_url, {"username": "sam2", "first_name": "Sam", "password1": password, "password2": password}
    )
    assert response.status_code == 400 and b"already an account with this e-mail address" in response.content
    assert not Membership.objects.filter(group=group, role=Role.LEARNER).exists()


@pytest.mark.parametrize("state", ["expired", "revoked", "used"])
def test_a_spent_invitation_says_why_before_anyone_logs_in(client, state):
    group = GroupFactory()
    client.force_login(member(group, Role.TEACHER))
    invitation = invite(client, group)
    changes = {
        "expired": {"created_at": timezone.now() - datetime.timedelta(days=30)},
        "revoked": {"revoked_at": timezone.now()},
        "used": {"accepted_at": timezone.now()},
    }[state]
    Invitation.objects.filter(pk=invitation.pk).update(**changes)
    client.logout()
    page = client.get(reverse("lessons:org:invitation", args=[invitation.token])).content.decode()
    message = {"expired": "This invitation expired on", "revoked": "withdrawn", "used": "already been used"}[state]
    assert message in page and "Log in to accept" not in page


def test_a_manager_withdraws_an_invitation_from_the_group_page(client):
    group = GroupFactory()
    client.force_login(member(group, Role.TEACHER))
    invitation = invite(client, group)
    html = client.get(reverse("lessons:org:group", args=[group.pk])).content.decode()
    revoke_url = reverse("lessons:org:group-revoke-invitation", args=[group.pk, invitation.pk])
    assert f'action="{revoke_url}"' in html and "Withdraw the invitation to sam@example.org" in html

    response = client.post(revoke_url, follow=True)
    assert b"The invitation to sam@example.org is withdrawn" in response.content
    assert b"Waiting for an answer" not in response.content, "no longer listed"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None

    client.force_login(UserFactory(email="sam@example.org"))
    response = client.post(reverse("lessons:org:invitation", args=[invitation.token]))
    assert response.status_code == 400 and b"withdrawn" in response.content
    assert not group.memberships.filter(role=Role.LEARNER).exists()


@pytest.mark.parametrize("who", ["learner", "teacher_of_another_group", "admin_of_another_organisation"])
def test_only_who_manages_the_group_may_withdraw_its_invitations(client, who):
    group = GroupFactory()
    client.force_login(member(group, Role.TEACHER))
    invitation = invite(client, group)
    intruder = {
        "learner": lambda: member(group),
        "teacher_of_another_group": lambda: member(GroupFactory(organisation=group.organisation), Role.TEACHER),
        "admin_of_another_organisation": lambda: org_admin(OrganisationFactory()),
    }[who]()
    client.force_login(intruder)
    revoke = reverse("lessons:org:group-revoke-invitation", args=[group.pk, invitation.pk])
    assert client.post(revoke).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_invitation_of_another_group_cannot_be_withdrawn_through_mine(client):
    mine, theirs = GroupFactory(), GroupFactory()
    client.force_login(member(theirs, Role.TEACHER))
    invitation = invite(client, theirs)
    client.force_login(member(mine, Role.TEACHER))
    assert client.post(reverse("lessons:org:group-revoke-invitation", args=[mine.pk, invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


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


def test_a_due_date_in_the_past_is_a_form_error(client):
    group = GroupFactory()
    course, _ = course_with_lessons()
    client.force_login(member(group, Role.TEACHER))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assign_url = reverse("lessons:org:group-assign", args=[group.pk])
    response = client.post(assign_url, {"course": course.pk, "due_date": yesterday.isoformat()})
    assert response.status_code == 400
    assert f"The due date {yesterday:%d %b %Y} has already passed" in response.content.decode()
    assert not Assignment.objects.exists()
    today = timezone.localdate()
    assert client.post(assign_url, {"course": course.pk, "due_date": today.isoformat()}).status_code == 302


def test_joining_a_class_with_a_course_enrols_the_learner_so_the_dashboard_agrees(client):
    group = GroupFactory(name="Class 9B")
    course, _ = course_with_lessons(title="AI basics")
    assign(group, course)
    client.force_login(UserFactory())
    client.post(JOIN, {"code": group.join_code})
    dashboard = client.get(reverse("lessons:dashboard")).content.decode()
    assert "You are not enrolled in a course yet" not in dashboard
    assert "Assigned to you" in dashboard and "not started" in dashboard


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
    assert "2 learners. 1 course assigned." in html

    detail = client.get(reverse("lessons:org:learner", args=[group.pk, ann.pk])).content.decode()
    assert "Ann Example" in detail and "80%" in detail and "Ben Late" not in detail
    assert group.organisation.name in detail, "the breadcrumb names the organisation"


def test_a_matrix_with_many_lessons_says_which_lessons_it_shows_and_links_to_the_rest(client):
    group = GroupFactory()
    course, _ = course_with_lessons(lesson_titles=[f"Lesson {n}" for n in range(1, 13)])
    assignment = assign(group, course)
    member(group)
    client.force_login(member(group, Role.TEACHER))
    url = reverse("lessons:org:group", args=[group.pk])
    html = client.get(url).content.decode()
    assert "Showing lessons 1–8 of 12." in html and "8. Lesson 8" in html and "9. Lesson 9" not in html
    assert f'href="?lessons-{assignment.pk}=9#matrix-{assignment.pk}">Next lessons' in html
    html = client.get(url, {f"lessons-{assignment.pk}": "9"}).content.decode()
    assert "Showing lessons 9–12 of 12." in html and "9. Lesson 9" in html and "8. Lesson 8" not in html
    assert f'href="?lessons-{assignment.pk}=1#matrix-{assignment.pk}">Previous lessons' in html
    assert client.get(url, {f"lessons-{assignment.pk}": "x"}).status_code == 200


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


def test_the_team_table_and_completion_by_course_count_the_same_courses(client):
    organisation = OrganisationFactory(kind="business")
    team = GroupFactory(organisation=organisation, name="Support")
    new_team = GroupFactory(organisation=organisation, name="Newcomers")  # no one has joined yet
    course, _ = course_with_lessons(title="AI at work")
    assign(team, course)
    assign(new_team, course_with_lessons(title="Prompting")[0])
    member(team)
    client.force_login(org_admin(organisation))
    html = client.get(reverse("lessons:org:organisation", args=[organisation.slug])).content.decode()
    assert "Support</a></th><td>1</td><td>1</td>" in html and "Newcomers</a></th><td>0</td><td>1</td>" in html
    assert '<th scope="row">AI at work</th><td>1</td>' in html
    assert '<th scope="row">Prompting</th><td>0</td><td>0</td><td>0%</td>' in html


def test_nav_offers_my_classes_to_staff_and_join_to_learners(client):
    group = GroupFactory()
    client.force_login(member(group))
    home = client.get(reverse("lessons:org:home")).content
    assert b"Join a class</a>" in home and b">My classes</a>" not in home
    client.force_login(member(group, Role.TEACHER))
    assert b">My classes</a>" in client.get(reverse("lessons:org:home")).content


def visible_text(response):
    """The text of the page's <main>, tags removed and spaces collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def nav_text(response):
    html = response.content.decode()
    return re.sub(r"<[^>]+>", " ", html[: html.index("<main")] if "<main" in html else "")


def test_a_business_reads_team_and_staff_everywhere(client, django_capture_on_commit_callbacks, monkeypatch):
    # Only lessons' own words: what other apps add through extension points is theirs to word.
    real_get_hooks = hooks.get_hooks
    other_apps_slots = {"group_page_links", "organisation_page_sections"}
    monkeypatch.setattr(hooks, "get_hooks", lambda name: [] if name in other_apps_slots else real_get_hooks(name))
    team = GroupFactory(name="Support", organisation__name="Northwind", organisation__kind="business")
    course, (first, _) = course_with_lessons(title="AI at work")
    assign(team, course, due_date=datetime.date(2030, 1, 1))
    complete_lesson(member(team, first_name="Dana", last_name="Done"), first)
    member(team)
    admin = org_admin(team.organisation)
    member(team, Role.TEACHER, user=admin)
    client.force_login(admin)

    pages = {
        "home": client.get(reverse("lessons:org:home")),
        "team": client.get(reverse("lessons:org:group", args=[team.pk])),
        "learner": client.get(reverse("lessons:org:learner", args=[team.pk, team.memberships.first().user_id])),
        "organisation": client.get(reverse("lessons:org:organisation", args=[team.organisation.slug])),
        "record": client.get(reverse("lessons:org:training-record", args=[team.organisation.slug])),
        "create": client.get(reverse("lessons:org:group-create")),
    }
    for name, response in pages.items():
        text = visible_text(response)
        assert not re.search(r"\bclass(es)?\b|\blearners?\b", text, re.IGNORECASE), (name, text)
        assert "My teams" in nav_text(response), name
    team_page = visible_text(pages["team"])
    assert "My teams › Northwind" in team_page, "the breadcrumb names the organisation"
    assert "Staff join at" in team_page and "2 staff members." in team_page
    assert "Completed by 0 of 2 staff members (0%)." in team_page
    assert "Staff member" in team_page and "Manager" in team_page  # matrix column, invitation roles
    assert "Teams" in visible_text(pages["organisation"]) and "Assigned staff" in visible_text(pages["organisation"])
    assert "Name of the team" in visible_text(pages["create"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lessons:org:group-invite", args=[team.pk]), {"email": "new@example.org"})
    message = mail.outbox[-1]
    assert message.subject == "Join the team Support on AI Literacy"
    assert "invites you to join the team Support at Northwind" in message.body

    record = client.post(reverse("lessons:org:training-record-csv", args=[team.organisation.slug]))
    assert record.content.decode().splitlines()[0].startswith("staff member,username,email,team,course")


def test_a_school_keeps_class_and_learner(client):
    group = GroupFactory(name="Class 9B", organisation__name="Tallinn School")
    client.force_login(member(group, Role.TEACHER))
    response = client.get(reverse("lessons:org:group", args=[group.pk]))
    text = visible_text(response)
    assert "My classes › Tallinn School" in text and "Learners join at" in text and "0 learners." in text
    assert "My classes" in nav_text(response) and "team" not in text.lower()
