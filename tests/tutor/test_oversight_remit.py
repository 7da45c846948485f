"""A reader sees only conversations held under their organisation, from the learner's joining their group on.

One learner belongs to two organisations (a school class and a company team) and asks the tutor in
both, before and after joining; every reader role is checked against every conversation, on every
page and count that could show it.
"""

from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from lessons.models import Membership
from tests import factories as f
from tutor.answering import conversations
from tutor.models import Conversation, ConversationAccess, SafetyFlag
from tutor.oversight import selectors

pytestmark = pytest.mark.django_db

Role = Membership.Role


def backdate(conversation, days):
    Conversation.objects.filter(pk=conversation.pk).update(created_at=timezone.now() - timedelta(days=days))


def flagged_question(user, lesson, text):
    """``text`` asked the way the answering flow saves it, with a safety flag on it."""
    conversation, message = conversations.ask(user, lesson, text)
    f.SafetyFlagFactory(message=message, category=SafetyFlag.Category.SELF_HARM)
    return conversation


@pytest.fixture
def world():
    """Learner Lea: in class 9B of Tamme School (assigned "AI basics") and team CS of Northwind (assigned
    "AI at work"), joined both ten days ago. Conversations: school-before (20 days old, under the school),
    school-after and company-after (today)."""
    w = SimpleNamespace()
    w.school, w.company = f.OrganisationFactory(name="Tamme School"), f.OrganisationFactory(name="Northwind Ltd")
    w.class_9b = f.GroupFactory(organisation=w.school, name="9B")
    w.class_9c = f.GroupFactory(organisation=w.school, name="9C")
    w.team = f.GroupFactory(organisation=w.company, name="CS")
    w.basics, work = f.course("AI basics"), f.course("AI at work")
    basics = w.basics
    w.basics_lesson, w.work_lesson = f.lesson(basics, "What AI is"), f.lesson(work, "AI in the office")
    f.assign(w.class_9b, basics)
    f.assign(w.team, work)

    w.learner = f.member(w.class_9b, username="lea")
    f.member(w.team, user=w.learner)
    Membership.objects.filter(user=w.learner).update(joined_at=timezone.now() - timedelta(days=10))
    w.teacher_9b = f.member(w.class_9b, Role.TEACHER, username="teacher-9b")
    w.teacher_9c = f.member(w.class_9c, Role.TEACHER, username="teacher-9c")
    w.school_admin = f.org_admin(w.school, username="school-admin")
    w.manager = f.member(w.team, Role.TEACHER, username="manager")
    w.company_admin = f.org_admin(w.company, username="company-admin")
    w.superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw")

    w.school_before = flagged_question(w.learner, w.basics_lesson, "Before I joined: I want to die")
    backdate(w.school_before, days=20)
    w.school_after = flagged_question(w.learner, f.lesson(basics, "How models learn"), "After: kill myself")
    w.company_after = flagged_question(w.learner, w.work_lesson, "At work: I want to die")
    return w


def test_the_world_is_as_described(world):
    assert world.school_before.organisation == world.school_after.organisation == world.school
    assert world.company_after.organisation == world.company


# Who may see which conversation; everything else is hidden everywhere.
VISIBLE = {
    "teacher_9b": ("school", {"school_after"}),
    "school_admin": ("school", {"school_after"}),
    "teacher_9c": ("school", set()),  # same school, not Lea's class
    "manager": ("company", {"company_after"}),
    "company_admin": ("company", {"company_after"}),
    "learner": ("school", set()),  # Lea herself is no reader
    "superuser": ("school", set()),  # no role in the organisation, no reach
}
CONVERSATIONS = ("school_before", "school_after", "company_after")


@pytest.mark.parametrize("reader", VISIBLE)
def test_denial_matrix_of_conversation_pages(client, world, reader):
    org_name, visible = VISIBLE[reader]
    client.force_login(getattr(world, reader))
    for organisation in (world.school, world.company):
        for name in CONVERSATIONS:
            conversation = getattr(world, name)
            url = reverse("tutor:oversight:conversation", args=[organisation.slug, conversation.pk])
            allowed = name in visible and organisation == getattr(world, org_name)
            assert client.get(url).status_code == (200 if allowed else 404), (reader, organisation.name, name)
    logged = set(
        ConversationAccess.objects.filter(reader=getattr(world, reader)).values_list("conversation", flat=True)
    )
    assert logged == {getattr(world, name).pk for name in visible}


@pytest.mark.parametrize("reader", VISIBLE)
def test_denial_matrix_of_selectors_lists_and_counts(world, reader):
    org_name, visible = VISIBLE[reader]
    user, own_org = getattr(world, reader), getattr(world, org_name)
    for organisation in (world.school, world.company):
        expected = {getattr(world, name).pk for name in visible} if organisation == own_org else set()
        readable = set(selectors.readable_conversations(user, organisation).values_list("pk", flat=True))
        assert readable == expected, organisation.name
        flagged = {
            flag.message.conversation_id for flag in selectors.flags_for_reader(user, organisation, status="all")
        }
        assert flagged == expected, organisation.name
        listed = {c.pk for c in selectors.conversations_of(user, organisation, world.learner)}
        assert listed == expected, organisation.name
        roster = [m for m in selectors.learner_roster(user, organisation) if m.user == world.learner]
        assert {(m.conversation_count, m.open_flag_count) for m in roster} <= {(len(expected), len(expected))}


def test_learner_page_and_roster_show_only_the_readable_conversation(client, world):
    client.force_login(world.teacher_9b)
    page = client.get(reverse("tutor:oversight:learner", args=[world.school.slug, world.learner.pk]))
    assert list(page.context["conversations"]) == [world.school_after]
    roster = client.get(reverse("tutor:oversight:learners", args=[world.school.slug])).context["roster"]
    [row] = [membership for membership in roster if membership.user == world.learner]
    assert (row.conversation_count, row.open_flag_count) == (1, 1)
    flags = client.get(reverse("tutor:oversight:flags", args=[world.school.slug])).context["page_obj"]
    assert [flag.message.conversation for flag in flags] == [world.school_after]


def test_group_page_counts_only_readable_open_flags(client, world):
    client.force_login(world.teacher_9b)
    page = client.get(reverse("lessons:org:group", args=[world.class_9b.pk])).content.decode()
    assert '<strong data-testid="open-flags">(1 to review)</strong>' in page


def test_join_date_is_that_of_the_readers_group(world):
    """Lea joins class 9C today: its teacher reads from today on, 9B's teacher from ten days ago."""
    f.member(world.class_9c, user=world.learner)
    assert not selectors.readable_conversations(world.teacher_9c, world.school).exists()
    later = flagged_question(world.learner, f.lesson(world.basics, "Later lesson"), "Hello")
    assert list(selectors.readable_conversations(world.teacher_9c, world.school)) == [later]
    assert set(selectors.readable_conversations(world.teacher_9b, world.school)) == {world.school_after, later}


def test_a_conversation_under_no_organisation_is_read_by_nobody(world):
    stray = f.question(f.member(world.class_9b, username="new-learner"))
    Conversation.objects.filter(pk=stray.conversation_id).update(organisation=None)
    for reader in (world.teacher_9b, world.school_admin):
        assert stray.conversation_id not in selectors.readable_conversations(reader, world.school).values_list(
            "pk", flat=True
        )


# Which organisation a conversation starts under


@pytest.fixture
def two_schools():
    a, b = f.OrganisationFactory(name="School A"), f.OrganisationFactory(name="School B")
    group_a, group_b = f.GroupFactory(organisation=a), f.GroupFactory(organisation=b)
    course = f.course("AI basics")
    return SimpleNamespace(a=a, b=b, group_a=group_a, group_b=group_b, course=course, lesson=f.lesson(course))


def test_the_organisation_that_assigned_the_course_wins(two_schools):
    s = two_schools
    learner = f.member(s.group_a)
    f.member(s.group_b, user=learner)
    f.assign(s.group_b, s.course)
    assert conversations.organisation_id_for(learner, s.lesson) == s.b.pk


def test_an_assignment_in_another_language_counts(two_schools):
    s = two_schools
    learner = f.member(s.group_a)
    f.member(s.group_b, user=learner)
    f.assign(s.group_b, s.course)
    estonian = f.translate(s.lesson, "et", title="Mis on TI")
    assert conversations.organisation_id_for(learner, estonian) == s.b.pk


def test_a_single_organisation_is_taken_without_an_assignment(two_schools):
    learner = f.member(two_schools.group_a)
    assert conversations.organisation_id_for(learner, two_schools.lesson) == two_schools.a.pk
    assert conversations.organisation_id_for(learner, None) == two_schools.a.pk


@pytest.mark.parametrize("assigned_by", [(), ("group_a", "group_b")])
def test_no_organisation_when_it_is_ambiguous(two_schools, assigned_by):
    s = two_schools
    learner = f.member(s.group_a)
    f.member(s.group_b, user=learner)
    for group in assigned_by:
        f.assign(getattr(s, group), s.course)
    assert conversations.organisation_id_for(learner, s.lesson) is None


def test_only_learner_memberships_count(two_schools):
    s = two_schools
    assert conversations.organisation_id_for(f.UserFactory(), s.lesson) is None
    assert conversations.organisation_id_for(f.member(s.group_a, Role.TEACHER), s.lesson) is None
    assert conversations.organisation_id_for(f.org_admin(s.a), s.lesson) is None


def test_joining_a_class_starts_a_new_conversation_the_teacher_reads(two_schools):
    s = two_schools
    learner = f.UserFactory()
    before, _ = conversations.ask(learner, s.lesson, "A question of my own")
    assert conversations.ask(learner, s.lesson, "And another")[0] == before  # same organisation (none): goes on
    f.member(s.group_a, user=learner)
    teacher = f.member(s.group_a, Role.TEACHER)
    after, _ = conversations.ask(learner, s.lesson, "Now in class")
    assert after != before and after.organisation == s.a
    assert list(selectors.readable_conversations(teacher, s.a)) == [after]
    assert [m.text for m in after.messages.all()] == ["Now in class"]


def test_back_fill_migration_applies_the_same_rule(two_schools):
    s = two_schools
    in_a = f.member(s.group_a)
    in_both = f.member(s.group_a)
    f.member(f.GroupFactory(organisation=s.b), user=in_both)  # a class of B without the course
    in_both_assigned = f.member(s.group_a)
    f.member(s.group_b, user=in_both_assigned)
    f.assign(s.group_b, s.course)
    reader = f.member(s.group_a, Role.TEACHER, first_name="Tiina", last_name="Tamm", email="tiina@example.org")
    made = {user: Conversation.objects.create(user=user, lesson=s.lesson) for user in (in_a, in_both, in_both_assigned)}
    access = ConversationAccess.objects.create(conversation=made[in_a], reader=reader, organisation=s.a)
    import_module("tutor.migrations.0007_backfill_conversation_organisation").backfill(apps, None)

    assert {user: Conversation.objects.get(pk=c.pk).organisation for user, c in made.items()} == {
        in_a: s.a,
        in_both: None,  # two organisations, neither assigned the course: ambiguous
        in_both_assigned: s.b,
    }
    access.refresh_from_db()
    assert (access.reader_name, access.reader_email) == ("Tiina Tamm", "tiina@example.org")
