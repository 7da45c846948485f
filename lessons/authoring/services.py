"""Who may author course content, and the review every change goes through before it is live.

Two groups: "Teachers" write and edit courses and lessons but cannot publish; "Editors" may also
publish. Both reach the Wagtail admin and may choose and upload images and documents; neither
gets site settings or user management (those permissions are simply never granted).
Publishing goes through the "Lesson review" workflow: an Editor approves what a Teacher submits.
Both groups may translate pages ("Translate" in the page explorer): the copy lands in the
catalogue of the target language, which gets the same permissions and workflow, so a translation
is reviewed and published like any other change.

The group part runs in a data migration (with the migration's historical ``apps``) and again,
harmlessly, from the demo loader; the catalogue part needs the catalogue page, so it runs when
that page exists (the loader, and the admin hook that fires when an editor creates it).
"""

from django.apps import apps as installed_apps
from django.db import transaction

from .roles import AuthoringGroup

WORKFLOW_NAME = "Lesson review"
APPROVAL_TASK_NAME = "Editor approval"

# Page permission types granted on the catalogue subtree (CoursePage and LessonPage live there only).
PAGE_PERMISSIONS = {
    AuthoringGroup.TEACHERS: ("add", "change", "lock"),
    AuthoringGroup.EDITORS: ("add", "change", "lock", "unlock", "publish"),
}
# (app_label, model, codename) granted on the root collection, for choosing and uploading media.
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "choose_document"),
]
ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")
# The admin's "Translate" action (wagtail.contrib.simple_translation): authors translate lessons too.
SUBMIT_TRANSLATION = ("simple_translation", "simpletranslation", "submit_translation")


def _permission(apps, app_label, model, codename):
    """The permission row, created if post_migrate has not made it yet (fresh databases)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ").capitalize()}
    )
    return permission


def ensure_authoring_groups(apps=installed_apps):
    """Create the Teachers and Editors groups with admin access and media permissions (idempotent).

    Wagtail's initial data already made an "Editors" group that may edit every page from the tree
    root; that grant is withdrawn so editors, like teachers, work on the course catalogue only
    (the home page and site structure stay with administrators).
    """
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root_collection = Collection.objects.filter(depth=1).first()
    groups = {}
    for name in PAGE_PERMISSIONS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(_permission(apps, *ADMIN_ACCESS), _permission(apps, *SUBMIT_TRANSLATION))
        GroupPagePermission.objects.filter(group=group, page__depth=1).delete()
        if root_collection is not None:
            for spec in COLLECTION_PERMISSIONS:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=_permission(apps, *spec)
                )
        groups[name] = group
    return groups


@transaction.atomic
def ensure_catalogue_authoring(catalogue):
    """Grant the groups' page permissions on the catalogue and route its pages through "Lesson review"."""
    from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

    groups = ensure_authoring_groups()
    for name, permission_types in PAGE_PERMISSIONS.items():
        for permission_type in permission_types:
            if not GroupPagePermission.objects.filter(
                group=groups[name], page=catalogue, permission__codename=f"{permission_type}_page"
            ).exists():
                GroupPagePermission.objects.create(group=groups[name], page=catalogue, permission_type=permission_type)

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=APPROVAL_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=APPROVAL_TASK_NAME)
    task.groups.add(groups[AuthoringGroup.EDITORS])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=catalogue, defaults={"workflow": workflow})
    return workflow


def set_up_authoring_for_translated_catalogue(sender, source_obj, target_obj, **kwargs):
    """A catalogue copied into another language (by "Translate" or the loader) gets the same rules."""
    from lessons.models import CourseIndexPage

    if isinstance(target_obj, CourseIndexPage):
        ensure_catalogue_authoring(target_obj)
