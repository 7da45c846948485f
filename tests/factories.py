"""The one set of test factories: users, pages and blocks, organisations, tutor rows.

Pages are real, published Wagtail pages under the site's home page; blocks are (block_type, value)
pairs for ``lesson(body=[...])``. Append here rather than fork a copy next to a test module.
"""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.http import QueryDict
from django.utils import timezone
from wagtail.models import Locale, Site

from lessons.learning.quizzes import shown_questions
from lessons.learning.selectors import next_attempt
from lessons.models import (
    Assignment,
    Competence,
    CourseIndexPage,
    CoursePage,
    Group,
    LessonPage,
    LessonProgress,
    Membership,
    Organisation,
    QuizAttempt,
)
from tutor.answering.conversations import organisation_id_for
from tutor.models import Conversation, Message, OrganisationBudget, SafetyFlag

Role = Membership.Role

# Users


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Tester"
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def groups(user, create, names, **kwargs):
        """``UserFactory(groups=["Teachers"])`` puts the user in those (created if missing) auth groups."""
        for name in names or ():
            user.groups.add(AuthGroup.objects.get_or_create(name=name)[0])


def teacher(username="a-teacher"):
    return UserFactory(username=username, groups=["Teachers"])


# Pages and blocks


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"competence-{n}")
    name = factory.LazyAttribute(lambda competence: competence.key.replace("-", " ").capitalize())


def home_page():
    return Site.objects.get(is_default_site=True).root_page


def course_index():
    """The catalogue page (one per home page), created under the home page when missing."""
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    index = CourseIndexPage(title="Courses", slug="courses")
    home_page().add_child(instance=index)
    index.save_revision().publish()
    return index


def _add_published(parent, page, publish):
    page.live = False
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    else:
        page.save_revision()
    return type(page).objects.get(pk=page.pk)


def course(title="AI basics", slug=None, publish=True, topics=(), competences=(), **fields):
    """A course in the catalogue; ``topics`` are tag names, ``competences`` Competence objects."""
    page = CoursePage(title=title, slug=slug or title.lower().replace(" ", "-"), **fields)
    if topics:
        page.topics.add(*topics)
    if competences:
        page.competences.set(competences)
    return _add_published(course_index(), page, publish)


def lesson(parent, title="What AI is", body=(), slug=None, publish=True, **fields):
    """A lesson with ``body`` given as (block_type, value) pairs, published unless told not to."""
    page = LessonPage(title=title, slug=slug or title.lower().replace(" ", "-"), body=list(body), **fields)
    return _add_published(parent, page, publish)


def translate(page, language, **fields):
    """A published Wagtail translation of ``page`` into ``language`` with ``fields`` set (parents aliased)."""
    translation = page.copy_for_translation(Locale.objects.get(language_code=language), copy_parents=True).specific
    for name, value in fields.items():
        setattr(translation, name, list(value) if name == "body" else value)
    translation.save_revision().publish()
    return type(translation).objects.get(pk=translation.pk)


def heading(text, anchor=""):
    return ("heading", {"text": text, "anchor": anchor})


def paragraph(html):
    return ("paragraph", html)


def key_term(term, definition):
    return ("key_term", {"term": term, "definition": definition})


def reflection(prompt):
    return ("reflection", {"prompt": prompt})


def teacher_note(html):
    return ("teacher_note", {"text": html})


def sources(*items, last_checked=None):
    """A sources block from (title, publisher, date, url) tuples."""
    return (
        "sources",
        {
            "items": [{"title": t, "publisher": p, "date": d, "url": u} for t, p, d, u in items],
            "last_checked": last_checked,
        },
    )


def quiz(questions, title="Check your understanding", pass_mark=70, **settings):
    """A quiz from (prompt, kind, [(text, is_correct, feedback[, pinned])], explanation) tuples.

    ``settings``: questions_per_attempt, cooldown_minutes, max_attempts.
    """
    return (
        "quiz",
        {
            "title": title,
            "pass_mark": pass_mark,
            **settings,
            "questions": [
                {
                    "prompt": prompt,
                    "kind": kind,
                    "explanation": explanation,
                    "options": [
                        {"text": t, "is_correct": c, "feedback": f, "pinned": bool(pinned)}
                        for t, c, f, *pinned in options
                    ],
                }
                for prompt, kind, options, explanation in questions
            ],
        },
    )


def one_question_quiz(prompt, options, explanation, title="Check your understanding", kind="single"):
    """A quiz of one question; ``options`` are (text, is_correct, feedback) triples."""
    return quiz([(prompt, kind, options, explanation)], title=title)


# A quiz with known answers, and form data that answers it by option text

SECRET_FEEDBACK = "feedback-only-after-submission"
SECRET_EXPLANATION = "explanation-only-after-submission"


def two_question_quiz(pass_mark=70):
    """Q1 (single): "Learns from data" is right. Q2 (multiple): "Spam filter" and "Face unlock" are right."""
    return quiz(
        [
            (
                "What is most modern AI?",
                "single",
                [
                    ("Learns from data", True, f"Right: {SECRET_FEEDBACK}"),
                    ("A conscious mind", False, f"No: {SECRET_FEEDBACK}"),
                ],
                SECRET_EXPLANATION,
            ),
            (
                "Which of these use AI?",
                "multiple",
                [
                    ("Spam filter", True, SECRET_FEEDBACK),
                    ("Face unlock", True, SECRET_FEEDBACK),
                    ("Pocket calculator", False, SECRET_FEEDBACK),
                ],
                SECRET_EXPLANATION,
            ),
        ],
        pass_mark=pass_mark,
    )


def quiz_block(lesson):
    """The first quiz block of the lesson (a StreamChild with ``id`` and ``value``)."""
    return next(block for block in lesson.body if block.block_type == "quiz")


def quiz_answers(lesson, chosen):
    """POST data for the lesson's quiz: ``chosen`` maps a question prompt to the option texts picked."""
    data = {}
    for question in quiz_block(lesson).value["questions"].bound_blocks:
        texts = chosen.get(question.value["prompt"], [])
        data[f"question-{question.id}"] = [
            option.id for option in question.value["options"].bound_blocks if option.value["text"] in texts
        ]
    return data


def right_answers(user, lesson, quiz):
    """POST data answering the learner's current draw of ``quiz`` (a StreamChild) with the correct options."""
    data = QueryDict(mutable=True)
    for question_id, _question, options in shown_questions(
        quiz.value, next_attempt(user, lesson, quiz.id, quiz.value).layout
    ):
        data.setlist(f"question-{question_id}", [option_id for option_id, option in options if option["is_correct"]])
    return data


ALL_RIGHT = {"What is most modern AI?": ["Learns from data"], "Which of these use AI?": ["Spam filter", "Face unlock"]}
HALF_RIGHT = {"What is most modern AI?": ["Learns from data"], "Which of these use AI?": ["Spam filter"]}
ALL_WRONG = {"What is most modern AI?": ["A conscious mind"], "Which of these use AI?": ["Pocket calculator"]}


def learning_course(title="AI basics"):
    """A course with a quiz lesson (plus a reflection) and a reading-only lesson: (course, quiz_lesson, reading)."""
    page = course(title=title)
    quiz_lesson = lesson(
        page,
        title="What AI is",
        body=[
            heading("Where you meet AI"),
            paragraph("<p>Phones, maps.</p>"),
            reflection("Where did you meet AI?"),
            two_question_quiz(),
        ],
    )
    reading = lesson(page, title="How models learn", body=[paragraph("<p>From examples.</p>")])
    return page, quiz_lesson, reading


# Organisations


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.SCHOOL


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Class {n}")


def member(group, role=Role.LEARNER, user=None, **user_fields):
    """A user (new unless given) with ``role`` in ``group``."""
    user = user or UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=group.organisation, group=group, role=role)
    return user


def org_admin(organisation, user=None, **user_fields):
    user = user or UserFactory(**user_fields)
    Membership.objects.create(user=user, organisation=organisation, group=None, role=Role.ADMIN)
    return user


def assign(group, course, due_date=None):
    return Assignment.objects.create(group=group, course=course, due_date=due_date)


def single_question_quiz():
    return one_question_quiz("Which one is AI?", [("A chatbot", True, "Yes."), ("A stone", False, "No.")], "Because.")


def course_with_lessons(title="AI basics", slug=None, lesson_titles=("What AI is", "How models learn")):
    """A published course whose lessons each end in a one-question quiz."""
    page = course(title=title, slug=slug)
    lessons = [
        lesson(page, title=lesson_title, body=[paragraph("<p>Text.</p>"), single_question_quiz()])
        for lesson_title in lesson_titles
    ]
    return page, lessons


def quiz_attempt(user, lesson, score, passed=None):
    return QuizAttempt.objects.create(
        user=user,
        lesson=lesson,
        quiz_block_id="quiz",
        score_percent=score,
        passed=score >= 70 if passed is None else passed,
        correct_count=1 if score >= 70 else 0,
        question_count=1,
    )


def complete_lesson(user, lesson, score=100, when=None):
    """The outcome of reading a lesson and passing its quiz, as stored by the progress service."""
    quiz_attempt(user, lesson, score)
    when = when or timezone.now()
    return LessonProgress.objects.create(user=user, lesson=lesson, first_read_at=when, completed_at=when)


# Tutor


class ConversationFactory(factory.django.DjangoModelFactory):
    """A conversation under the organisation the answering flow would pick for it (unless one is given)."""

    class Meta:
        model = Conversation

    user = factory.SubFactory(UserFactory)
    lesson = None
    organisation = factory.LazyAttribute(
        lambda conversation: Organisation.objects.filter(
            pk=organisation_id_for(conversation.user, conversation.lesson)
        ).first()
    )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Message.Role.LEARNER
    text = "What is a large language model?"


def question(user, text="What is a large language model?", conversation=None, **fields):
    """A learner's question, in a new conversation unless one is given."""
    return MessageFactory(conversation=conversation or ConversationFactory(user=user), text=text, **fields)


def reply(to, prompt_tokens=None, completion_tokens=None, status=Message.Status.COMPLETE, **fields):
    """The tutor's reply to the question ``to``, in the same conversation."""
    return MessageFactory(
        conversation=to.conversation,
        role=Message.Role.TUTOR,
        status=status,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        **{"text": "An answer from the course." if status != Message.Status.FAILED else "", **fields},
    )


class SafetyFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyFlag

    message = factory.SubFactory(MessageFactory)
    category = SafetyFlag.Category.SELF_HARM
    detail = "words about self-harm or suicide"


def with_budget(organisation, *, questions=None, tokens=None):
    """``organisation`` with a monthly tutor budget of ``questions`` and/or ``tokens``."""
    OrganisationBudget.objects.create(
        organisation=organisation, monthly_question_budget=questions, monthly_token_budget=tokens
    )
    return organisation
