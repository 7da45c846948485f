"""Teachers and admins read learners' conversations inside their organisation only; each reading is logged."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from lessons.models import Membership
from tests.factories import (
    GroupFactory,
    OrganisationFactory,
    UserFactory,
    member,
    org_admin,
    question,
    reply,
)
from tutor.models import ConversationAccess
from tutor.oversight.safety import screen_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Org A: class 1 (teacher_1, learner_1), class 2 (teacher_2, learner_2), admin. Org B likewise."""
    org_a, org_b = OrganisationFactory(name="Tamme School"), OrganisationFactory(name="Kase School")
    class_1, class_2 = GroupFactory(organisation=org_a), GroupFactory(organisation=org_a)
    class_b = GroupFactory(organisation=org_b)
    w = SimpleNamespace(org_a=org_a, org_b=org_b, class_1=class_1, class_2=class_2)
    w.teacher_1 = member(class_1, Membership.Role.TEACHER)
    w.learner_1 = member(class_1)
    w.teacher_2 = member(class_2, Membership.Role.TEACHER)
    w.learner_2 = member(class_2)
    w.admin_a = org_admin(org_a)
    w.teacher_b = member(class_b, Membership.Role.TEACHER)
    w.learner_b = member(class_b)
    w.admin_b = org_admin(org_b)
    w.message = question(w.learner_1, "Why does the model make things up?")
    w.conversation = w.message.conversation
    return w


def conversation_url(org, conversation):
    return reverse("tutor:oversight:conversation", args=[org.slug, conversation.pk])


@pytest.mark.parametrize("reader", ["teacher_1", "admin_a"])
def test_teacher_of_the_group_and_org_admin_read_and_each_reading_is_logged(client, world, reader):
    user = getattr(world, reader)
    client.force_login(user)
    for _ in range(2):
        response = client.get(conversation_url(world.org_a, world.conversation))
        assert response.status_code == 200
        assert "Why does the model make things up?" in response.content.decode()
    log = ConversationAccess.objects.filter(conversation=world.conversation)
    assert log.count() == 2
    assert {(entry.reader, entry.organisation) for entry in log} == {(user, world.org_a)}


@pytest.mark.parametrize(
    "reader, org",
    [
        ("learner_1", "org_a"),  # the learner themself is not a reader
        ("learner_2", "org_a"),  # another learner in the same organisation
        ("teacher_2", "org_a"),  # teacher of another group in the same organisation
        ("teacher_b", "org_a"),  # teacher in another organisation, through org A's pages
        ("teacher_b", "org_b"),  # ... and through their own organisation's pages
        ("admin_b", "org_a"),  # admin of another organisation
        ("admin_b", "org_b"),
    ],
)
def test_readers_without_authority_get_404_everywhere_and_nothing_is_logged(client, world, reader, org):
    client.force_login(getattr(world, reader))
    organisation = getattr(world, org)
    urls = [
        conversation_url(organisation, world.conversation),
        reverse("tutor:oversight:learner", args=[organisation.slug, world.learner_1.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert not ConversationAccess.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in [
        conversation_url(world.org_a, world.conversation),
        reverse("tutor:oversight:learners", args=[world.org_a.slug]),
        reverse("tutor:oversight:access_log", args=[world.org_a.slug]),
        reverse("tutor:oversight:usage", args=[world.org_a.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_teacher_sees_only_their_own_groups_learners(client, world):
    client.force_login(world.teacher_1)
    page = client.get(reverse("tutor:oversight:learners", args=[world.org_a.slug])).content.decode()
    assert world.learner_1.get_full_name() in page
    assert world.learner_2.get_full_name() not in page

    client.force_login(world.admin_a)
    page = client.get(reverse("tutor:oversight:learners", args=[world.org_a.slug])).content.decode()
    assert world.learner_1.get_full_name() in page and world.learner_2.get_full_name() in page
    assert world.learner_b.get_full_name() not in page


def test_learner_page_lists_conversations_without_logging_a_reading(client, world):
    client.force_login(world.teacher_1)
    response = client.get(reverse("tutor:oversight:learner", args=[world.org_a.slug, world.learner_1.pk]))
    assert response.status_code == 200
    assert conversation_url(world.org_a, world.conversation) in response.content.decode()
    assert not ConversationAccess.objects.exists()


def test_access_log_shows_readings_to_that_organisations_admin_only(client, world):
    client.force_login(world.teacher_1)
    client.get(conversation_url(world.org_a, world.conversation))
    log_url = reverse("tutor:oversight:access_log", args=[world.org_a.slug])

    client.force_login(world.admin_a)
    page = client.get(log_url).content.decode()
    assert world.teacher_1.get_full_name() in page
    assert world.learner_1.get_full_name() in page

    for outsider in (world.teacher_1, world.learner_1, world.admin_b):
        client.force_login(outsider)
        assert client.get(log_url).status_code == 404

    client.force_login(world.admin_b)
    own_log = client.get(reverse("tutor:oversight:access_log", args=[world.org_b.slug])).content.decode()
    assert world.teacher_1.get_full_name() not in own_log


def test_usage_page_is_for_the_organisations_admin_only(client, world):
    url = reverse("tutor:oversight:usage", args=[world.org_a.slug])
    for outsider in (world.teacher_1, world.learner_1, world.admin_b):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(world.admin_a)
    assert client.get(url).status_code == 200


def render_notice(user):
    return Template("{% load oversight %}{% tutor_oversight_notice %}").render(Context({"user": user})).strip()


def test_notice_tells_a_learner_in_a_group_which_organisation_can_read(world):
    member(GroupFactory(organisation=world.org_b), user=world.learner_1)
    notice = render_notice(world.learner_1)
    assert "Your teachers and organisation admins at" in notice
    assert "Kase School and Tamme School" in notice
    assert "can read your tutor conversations" in notice


def test_notice_is_absent_for_people_outside_any_group(world):
    assert render_notice(UserFactory()) == ""
    assert render_notice(AnonymousUser()) == ""


def test_nav_links_teachers_and_admins_to_oversight_but_not_learners(client, world):
    link = f'<a href="{reverse("tutor:oversight:index")}">Tutor oversight</a>'  # not the language switcher's
    for reader in (world.teacher_1, world.admin_a):
        client.force_login(reader)
        page = client.get(reverse("tutor:oversight:index")).content.decode()
        assert link in page
        assert reverse("tutor:oversight:learners", args=[world.org_a.slug]) in page
    client.force_login(world.learner_1)
    page = client.get(reverse("tutor:oversight:index")).content.decode()
    assert link not in page
    assert "no tutor conversations for you to oversee" in page


def test_class_and_organisation_pages_link_to_oversight(client, world):
    screen_message(question(world.learner_1, "I want to die"))
    screen_message(question(world.learner_2, "you are so stupid"))  # another class: not teacher_1's
    client.force_login(world.teacher_1)
    group_page = client.get(reverse("lessons:org:group", args=[world.class_1.pk])).content.decode()
    assert reverse("tutor:oversight:flags", args=[world.org_a.slug]) in group_page
    assert reverse("tutor:oversight:learners", args=[world.org_a.slug]) in group_page
    assert '<strong data-testid="open-flags">(1 to review)</strong>' in group_page

    client.force_login(world.admin_a)
    org_page = client.get(reverse("lessons:org:organisation", args=[world.org_a.slug])).content.decode()
    assert reverse("tutor:oversight:usage", args=[world.org_a.slug]) in org_page
    assert reverse("tutor:oversight:access_log", args=[world.org_a.slug]) in org_page


def test_a_business_reads_staff_not_learners_in_the_tutor_links(client, world):
    world.org_a.kind = world.org_a.Kind.BUSINESS
    world.org_a.save(update_fields=["kind"])
    client.force_login(world.teacher_1)
    group_page = client.get(reverse("lessons:org:group", args=[world.class_1.pk])).content.decode()
    assert "Your staff's tutor conversations" in group_page
    assert "Your learners' tutor conversations" not in group_page
    client.force_login(world.admin_a)
    org_page = client.get(reverse("lessons:org:organisation", args=[world.org_a.slug])).content.decode()
    assert "Who read staff members' tutor conversations" in org_page


def test_conversation_text_is_escaped_on_the_read_page(client, world):
    question(world.learner_1, '<script>alert("x")</script> is this code?', conversation=world.conversation)
    client.force_login(world.teacher_1)
    page = client.get(conversation_url(world.org_a, world.conversation)).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; is this code?" in page


def test_tutor_answers_are_shown_as_sanitised_html(client, world):
    reply(world.message, text="See **this** <img src=x onerror=alert(1)>")
    client.force_login(world.teacher_1)
    page = client.get(conversation_url(world.org_a, world.conversation)).content.decode()
    assert "<strong>this</strong>" in page
    assert "onerror" not in page


def test_the_log_keeps_the_readers_name_and_e_mail_after_their_account_is_deleted(client, world):
    client.force_login(world.teacher_1)
    client.get(conversation_url(world.org_a, world.conversation))
    name, email = world.teacher_1.get_full_name(), world.teacher_1.email
    world.teacher_1.delete()

    entry = ConversationAccess.objects.get()
    assert entry.reader is None
    assert (entry.reader_name, entry.reader_email) == (name, email)
    client.force_login(world.admin_a)
    assert name in client.get(reverse("tutor:oversight:access_log", args=[world.org_a.slug])).content.decode()
