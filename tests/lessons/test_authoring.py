"""Who may author and publish course content, and the review workflow changes go through."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, WorkflowPage

from lessons.authoring.roles import AuthoringGroup
from lessons.authoring.services import WORKFLOW_NAME, ensure_catalogue_authoring
from lessons.models import CourseIndexPage
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    ensure_catalogue_authoring(f.course_index())
    return f.lesson(f.course("AI basics"), "What AI is", body=[f.paragraph("<p>Text.</p>")])


def permissions(page, username, groups=()):
    return page.permissions_for_user(f.UserFactory(username=username, groups=list(groups)))


def test_migration_creates_both_groups_with_admin_access_and_no_management_rights():
    management = {"user", "group", "site", "permission", "workflow", "task", "locale", "redirect"}
    for name in (AuthoringGroup.TEACHERS, AuthoringGroup.EDITORS):
        group = Group.objects.get(name=name)
        granted = set(group.permissions.values_list("codename", "content_type__model"))
        assert ("access_admin", "admin") in granted
        assert not [codename for codename, model in granted if model in management]
    assert set(Group.objects.get(name=AuthoringGroup.TEACHERS).permissions.values_list("codename", flat=True)) == {
        "access_admin",
        "submit_translation",
    }


def test_teachers_edit_but_cannot_publish(lesson):
    teacher = permissions(lesson, "tom", [AuthoringGroup.TEACHERS])
    assert teacher.can_edit() and teacher.can_lock()
    assert not teacher.can_publish() and not teacher.can_unpublish()
    assert permissions(lesson.get_parent(), "tom").can_add_subpage()


def test_editors_publish(lesson):
    editor = permissions(lesson, "edith", [AuthoringGroup.EDITORS])
    assert editor.can_edit() and editor.can_publish()


def test_students_cannot_edit(lesson):
    student = permissions(lesson, "sam")
    assert not student.can_edit() and not student.can_publish()


def test_pages_outside_the_catalogue_stay_out_of_reach(lesson):
    home = f.home_page()
    assert not permissions(home, "tom", [AuthoringGroup.TEACHERS]).can_edit()
    assert not permissions(home, "edith", [AuthoringGroup.EDITORS]).can_publish()


def test_lessons_go_through_lesson_review_approved_by_editors(lesson):
    workflow = lesson.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    [task] = [task.specific for task in workflow.tasks]
    assert list(task.groups.values_list("name", flat=True)) == [AuthoringGroup.EDITORS]


def test_setting_up_authoring_twice_adds_nothing(lesson):
    catalogue = CourseIndexPage.objects.get(locale__language_code="en")
    before = (GroupPagePermission.objects.count(), WorkflowPage.objects.count())
    ensure_catalogue_authoring(catalogue)
    assert (GroupPagePermission.objects.count(), WorkflowPage.objects.count()) == before


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/groups/", "/admin/sites/", "/admin/workflows/list/"])
def test_teachers_get_no_user_management_or_settings(client, lesson, url):
    client.force_login(f.UserFactory(username="tom", groups=[AuthoringGroup.TEACHERS]))
    assert client.get("/admin/").status_code == 200
    response = client.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/") and response["Location"] != url


def test_teachers_can_open_the_lesson_editor(client, lesson):
    client.force_login(f.UserFactory(username="tom", groups=[AuthoringGroup.TEACHERS]))
    response = client.get(f"/admin/pages/{lesson.pk}/edit/")
    assert response.status_code == 200
    assert "Submit to Lesson review" in response.text


def test_a_catalogue_created_in_the_admin_gets_the_review_workflow(client):
    client.force_login(f.UserFactory(username="ada", is_superuser=True, is_staff=True))
    response = client.post(
        f"/admin/pages/add/lessons/courseindexpage/{f.home_page().pk}/",
        {"title": "Courses", "slug": "courses", "intro": '{"blocks": [], "entityMap": {}}'},
    )
    assert response.status_code == 302
    catalogue = CourseIndexPage.objects.get(locale__language_code="en")
    assert catalogue.get_workflow().name == WORKFLOW_NAME
    assert GroupPagePermission.objects.filter(page=catalogue, group__name=AuthoringGroup.TEACHERS).count() == 3
