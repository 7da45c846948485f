"""A learner's own data: the download from the account page and deleting the account, end to end and by parts."""

import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from wagtail import hooks

from cms.accounts.personal_data import Section, build_archive
from cms.accounts.services import delete_account
from lessons.models import (
    AnonymisedTrainingRecord,
    Certificate,
    Enrolment,
    Invitation,
    LessonProgress,
    Membership,
    Organisation,
    QuizAttempt,
    ReflectionNote,
)
from lessons.organisations.exports import write_training_record
from tests import factories as f
from tutor.models import Conversation, ConversationAccess, Message, SafetyFlag
from tutor.oversight.services import read_conversation

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests"  # UserFactory's
ACCOUNT, DOWNLOAD, DELETE = "/en/account/", "/en/account/data/", "/en/account/delete/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def block_id(lesson, block_type):
    return next(block.id for block in lesson.body if block.block_type == block_type)


@pytest.fixture
def world():
    """Mari, on a business's team, completed "AI basics" there (a failed try first), kept a note,
    asked the tutor, and her manager read that conversation."""
    course, quiz_lesson, reading = f.learning_course()
    business = f.OrganisationFactory(name="Northwind", kind=Organisation.Kind.BUSINESS)
    team = f.GroupFactory(organisation=business, name="Support team")
    learner = f.member(team, username="mari", first_name="Mari", last_name="Tamm", email="mari@example.org")
    manager = f.member(team, role=Membership.Role.TEACHER, username="berit", first_name="Berit", last_name="Boss")
    f.org_admin(business, user=manager)
    f.assign(team, course)
    Invitation.objects.create(group=team, email="mari@example.org", accepted_by=learner)

    client = Client()
    client.force_login(learner)
    client.post(reverse("lessons:enrol", args=[course.id]))
    client.get(reading.url)
    client.get(quiz_lesson.url)
    quiz_url = reverse("lessons:quiz", args=[quiz_lesson.id, block_id(quiz_lesson, "quiz")])
    client.post(quiz_url, f.quiz_answers(quiz_lesson, f.ALL_WRONG))
    client.post(quiz_url, f.quiz_answers(quiz_lesson, f.ALL_RIGHT))
    note_url = reverse("lessons:reflection_note", args=[quiz_lesson.id, block_id(quiz_lesson, "reflection")])
    client.post(note_url, {"text": "At the supermarket checkout."})

    conversation = f.ConversationFactory(user=learner, lesson=quiz_lesson, organisation=business)
    asked = f.question(learner, "Can a chatbot invent its sources?", conversation=conversation)
    f.reply(asked, text="Yes. Check every source it gives you.")
    f.SafetyFlagFactory(message=asked)
    read_conversation(manager, business, conversation)
    return SimpleNamespace(
        client=client,
        learner=learner,
        manager=manager,
        business=business,
        course=course,
        conversation=conversation,
        certificate=Certificate.objects.get(user=learner),
    )


def unzip(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    data = json.loads(archive.read(next(name for name in names if name.endswith("/data.json"))))
    html = archive.read(next(name for name in names if name.endswith("/index.html"))).decode()
    return names, data, html


def test_a_learner_downloads_their_data_then_deletes_their_account(world):
    client, learner = world.client, world.learner
    home = client.get("/en/").content.decode()
    assert f'href="{ACCOUNT}"' in home  # linked from the signed-in navigation
    page = client.get(ACCOUNT).content.decode()
    assert f'action="{DOWNLOAD}"' in page and f'href="{DELETE}"' in page

    # Download: one zip, JSON for programs and HTML for people.
    response = client.post(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="ai-literacy-data-mari-')
    names, data, html = unzip(response.content)
    assert len(names) == 2
    sections = data["sections"]
    assert sections["profile"]["email"] == "mari@example.org"
    assert [row["course"] for row in sections["enrolments"]] == ["AI basics"]
    assert sections["enrolments"][0]["completed_at"]
    assert {(row["course"], row["lesson"]) for row in sections["lesson_progress"]} == {
        ("AI basics", "What AI is"),
        ("AI basics", "How models learn"),
    }
    assert [row["passed"] for row in sections["quiz_attempts"]] == [False, True]
    assert sections["reflection_notes"][0]["text"] == "At the supermarket checkout."
    assert sections["certificates"][0]["code"] == world.certificate.code
    assert sections["organisations"][0]["organisation"] == "Northwind"
    (conversation,) = sections["tutor_conversations"]
    assert [message["text"] for message in conversation["messages"]] == [
        "Can a chatbot invent its sources?",
        "Yes. Check every source it gives you.",
    ]
    assert conversation["messages"][0]["safety_flags"] == ["self_harm"]
    (reading,) = sections["tutor_conversation_readings"]
    assert (reading["reader"], reading["organisation"]) == ("Berit Boss", "Northwind")
    for text in (
        "Mari",
        "At the supermarket checkout.",
        "Can a chatbot invent its sources?",
        "Berit Boss",
        world.certificate.code,
        "Conversations with the tutor",
    ):
        assert text in html

    # Delete: the page says what happens, a wrong password changes nothing, the right one deletes.
    confirm = client.get(DELETE).content.decode()
    assert "Your certificates are revoked" in confirm
    assert "Your conversations with the tutor are deleted" in confirm
    wrong = client.post(DELETE, {"password": "not-it"})
    assert wrong.status_code == 400 and "That is not your password." in wrong.content.decode()
    assert get_user_model().objects.filter(pk=learner.pk).exists()

    response = client.post(DELETE, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[0] == ("/en/", 302)
    assert "Your account has been deleted" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(pk=learner.pk).exists()

    # Personal data gone; the tutor conversation, its flags and who read it gone too.
    for model in (Enrolment, LessonProgress, QuizAttempt, ReflectionNote, Membership):
        assert not model.objects.filter(user_id=learner.pk).exists(), model
    assert not Invitation.objects.filter(email="mari@example.org").exists()
    assert not Conversation.objects.exists()
    assert not (Message.objects.exists() or SafetyFlag.objects.exists() or ConversationAccess.objects.exists())

    # The certificate stays, revoked, with no name; the verification page says so.
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    assert (certificate.user, certificate.learner_name) == (None, "")
    assert certificate.revoked_at is not None
    verify = client.get(reverse("lessons:verify_certificate", args=[certificate.code]))
    assert verify.status_code == 200
    text = verify.content.decode()
    assert "Certificate revoked" in text and "AI basics" in text
    assert "Mari" not in text and "genuine certificate" not in text

    # The business keeps a nameless row in its training record.
    (record,) = AnonymisedTrainingRecord.objects.all()
    assert (record.organisation, record.course_title, record.language) == (world.business, "AI basics", "en")
    assert record.completed_on is not None and record.best_quiz_score == 100
    manager = Client()
    manager.force_login(world.manager)
    page = manager.get(reverse("lessons:org:training-record", args=[world.business.slug])).content.decode()
    assert "Completed by people who have deleted their account" in page and "Mari" not in page
    csv = write_training_record(world.business)
    assert "(deleted account),,,,AI basics," in csv and "Mari" not in csv and world.certificate.code not in csv


def test_the_account_pages_are_for_signed_in_people_only(client):
    for url in (ACCOUNT, DELETE):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")
    response = client.post(DOWNLOAD)
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


def test_the_download_is_a_post_and_only_ever_of_your_own_data(client):
    mari, other = f.UserFactory(username="mari"), f.UserFactory(username="jaan", email="jaan@example.org")
    client.force_login(mari)
    assert client.get(DOWNLOAD).status_code == 405
    _names, data, _html = unzip(client.post(DOWNLOAD, {"user": other.pk}).content)
    assert data["sections"]["profile"]["username"] == "mari"
    assert "jaan" not in json.dumps(data)


def test_downloads_are_rate_limited(client, settings):
    settings.PERSONAL_DATA_DOWNLOAD_RATE_LIMIT = "2/h"
    client.force_login(f.UserFactory())
    assert [client.post(DOWNLOAD).status_code for _ in range(2)] == [200, 200]
    refused = client.post(DOWNLOAD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many attempts in a short time" in refused.content.decode()


def test_deleting_needs_the_csrf_token():
    user = f.UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 403
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_wrong_passwords_are_rate_limited_and_then_even_the_right_one_waits(client):
    user = f.UserFactory()
    client.force_login(user)
    assert {client.post(DELETE, {"password": "guess"}).status_code for _ in range(5)} == {400}
    refused = client.post(DELETE, {"password": PASSWORD})
    assert refused.status_code == 429 and "Retry-After" in refused
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_deleting_a_user_anywhere_runs_the_hooks(world):
    """The Wagtail or Django admin deletes with ``user.delete()``; certificates are revoked all the same."""
    world.learner.delete()
    certificate = Certificate.objects.get(pk=world.certificate.pk)
    assert certificate.revoked_at is not None and certificate.learner_name == ""
    assert AnonymisedTrainingRecord.objects.count() == 1


def test_deleting_a_reader_keeps_the_learners_conversation_and_the_reading(world):
    world.manager.delete()
    assert Conversation.objects.filter(pk=world.conversation.pk).exists()
    reading = ConversationAccess.objects.get()
    assert (reading.reader, reading.reader_name) == (None, "Berit Boss")
    assert Certificate.objects.get(pk=world.certificate.pk).revoked_at is None


def test_a_failing_hook_deletes_nothing():
    user = f.UserFactory()

    def refuse(user):
        raise RuntimeError("storage unavailable")

    with hooks.register_temporarily("before_delete_account", refuse), pytest.raises(RuntimeError):
        delete_account(user)
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_apps_add_sections_through_the_hook():
    user = f.UserFactory(username="mari")

    def badges(user):
        return [Section("badges", "Badges", [{"name": "Early bird", "won": True}], columns=(("name", "Badge"),))]

    with hooks.register_temporarily("personal_data_sections", badges):
        filename, content = build_archive(user)
    _names, data, html = unzip(content)
    assert filename.startswith("ai-literacy-data-mari-") and filename.endswith(".zip")
    assert data["sections"]["badges"] == [{"name": "Early bird", "won": True}]
    assert '<th scope="col">Badge</th>' in html and "<td>Early bird</td>" in html


def test_the_html_is_escaped_and_in_the_persons_language(client):
    user = f.UserFactory(first_name="<script>alert(1)</script>")
    f.question(user, "<img src=x onerror=alert(1)>")
    client.force_login(user)
    _names, _data, html = unzip(client.post("/et/account/data/").content)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert '<html lang="et">' in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_account_pages_render_without_the_tutor():
    from tests.cms.test_without_tutor import render_without_tutor

    f.UserFactory(username="mari")
    result = render_without_tutor("mari", [ACCOUNT, DELETE])
    assert not result["tutor_installed"]
    assert [status for status, _html in result["pages"].values()] == [200, 200]
    confirm = result["pages"][DELETE][1]
    assert "Your certificates are revoked" in confirm and "conversations with the tutor" not in confirm
