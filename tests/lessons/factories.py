"""Builders for lesson tests: real, published Wagtail pages under the site's home page.

Shared by the content tests (L1) and the learner-journey tests (L2); append, don't fork.
"""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page

from lessons.models import Competence, CourseIndexPage, CoursePage, LessonPage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def groups(user, create, names, **kwargs):
        """``UserFactory(groups=["Teachers"])`` puts the user in those (created if missing) auth groups."""
        for name in names or ():
            user.groups.add(Group.objects.get_or_create(name=name)[0])


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"competence-{n}")
    name = factory.LazyAttribute(lambda competence: competence.key.replace("-", " ").capitalize())


def home_page():
    return Page.objects.get(depth=2, slug="home")


def course_index():
    """The one catalogue page (max_count = 1), created under the home page when missing."""
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


def quiz(questions, title="Check your understanding", pass_mark=70):
    """A quiz from (prompt, kind, [(text, is_correct, feedback)], explanation) tuples."""
    return (
        "quiz",
        {
            "title": title,
            "pass_mark": pass_mark,
            "questions": [
                {
                    "prompt": prompt,
                    "kind": kind,
                    "explanation": explanation,
                    "options": [{"text": t, "is_correct": c, "feedback": f} for t, c, f in options],
                }
                for prompt, kind, options, explanation in questions
            ],
        },
    )


# --- Learner journey (L2): a quiz with known answers and form data that answers it by option text ---

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
