"""Course tree builders for the tutor tests: real Wagtail pages under the site's home page."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page

from lessons.models import CourseIndexPage, CoursePage, LessonPage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"tutor-user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("pw-for-tests")


def teacher(username="a-teacher"):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name="Teachers")[0])
    return user


def course_index():
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    home = Page.objects.get(depth=2, slug="home")
    return home.add_child(instance=CourseIndexPage(title="Courses", slug="courses"))


def course(title="AI basics", slug=None, **fields):
    page = CoursePage(title=title, slug=slug or title.lower().replace(" ", "-"), **fields)
    course_index().add_child(instance=page)
    page.save_revision().publish()
    return page


def lesson(parent, title="What AI is", body=(), slug=None, publish=True, **fields):
    """A lesson with ``body`` given as (block_type, value) pairs, published unless told not to."""
    page = LessonPage(title=title, slug=slug or title.lower().replace(" ", "-"), body=list(body), **fields)
    page.live = False
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return LessonPage.objects.get(pk=page.pk)


def heading(text, anchor=""):
    return ("heading", {"text": text, "anchor": anchor})


def paragraph(html):
    return ("paragraph", html)


def teacher_note(html):
    return ("teacher_note", {"text": html})


def quiz(prompt, options, explanation, title="Check your understanding"):
    """A one-question quiz; ``options`` are (text, is_correct, feedback) triples."""
    return (
        "quiz",
        {
            "title": title,
            "pass_mark": 70,
            "questions": [
                {
                    "prompt": prompt,
                    "kind": "single",
                    "explanation": explanation,
                    "options": [{"text": t, "is_correct": c, "feedback": f} for t, c, f in options],
                }
            ],
        },
    )
