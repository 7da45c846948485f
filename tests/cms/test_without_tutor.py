"""The site renders with ``tutor`` removed from INSTALLED_APPS: it plugs in through hooks only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from lessons.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]

RENDER_WITHOUT_TUTOR = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
pages = {}
for path in sys.argv[2:]:
    response = client.get(path)
    pages[path] = [response.status_code, response.content.decode()]
print(json.dumps({"tutor_installed": apps.is_installed("tutor"), "pages": pages}))
"""


def render_without_tutor(username, paths):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_without_tutor",
        "PLATFORM_TEST_DATABASE": connection.settings_dict["NAME"],
    }
    result = subprocess.run(
        [sys.executable, "-c", RENDER_WITHOUT_TUTOR, username, *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_lesson_class_and_organisation_pages_render_without_the_tutor(client):
    course = f.course("AI basics")
    lesson = f.lesson(course, "What AI is", body=[f.heading("Where you meet AI"), f.paragraph("<p>Phones.</p>")])
    group = f.GroupFactory(name="Class 9B")
    teacher = f.member(group, role=Membership.Role.TEACHER, username="tom")
    f.org_admin(group.organisation, user=teacher)
    paths = [
        "/en/",
        course.url,
        lesson.url,
        f"/en/learn/org/groups/{group.pk}/",
        f"/en/learn/org/organisations/{group.organisation.slug}/",
    ]

    client.force_login(teacher)
    with_tutor = {path: client.get(path).content.decode() for path in paths}
    assert "Ask the tutor" in with_tutor[lesson.url]
    assert "Tutor oversight" in with_tutor["/en/"]
    assert "/en/tutor/oversight/" in with_tutor[f"/en/learn/org/groups/{group.pk}/"]

    without = render_without_tutor("tom", paths)

    assert without["tutor_installed"] is False
    for path, (status, html) in without["pages"].items():
        assert status == 200, f"{path} answered {status} without the tutor"
        assert "/en/tutor/" not in html and "Ask the tutor" not in html, f"{path} still shows the tutor"
    assert "Where you meet AI" in without["pages"][lesson.url][1]
    assert "Class 9B" in without["pages"][f"/en/learn/org/groups/{group.pk}/"][1]
