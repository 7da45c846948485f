"""The LTI tool in the Wagtail admin ("LMS (LTI)" menu) and in a person's data download and deletion.

Site administrators register each LMS (with the tool URLs to enter there), its deployments tied to an
organisation, and the tool's signing keys; they read every grade sent back. Only users with the model
permissions (superusers by default) see these; the grade record is read-only for everyone.
"""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from lti_tool.models import Key
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lti.admin_forms import KeyForm, LmsDeploymentForm, LmsPlatformForm, ToolUrlsPanel
from lti.models import LmsDeployment, LmsPlatform, ScoreSubmission
from lti.personal_data import delete_lms_accounts, lms_sections


class LmsPlatformViewSet(ModelViewSet):
    name = "lms_platforms"
    model = LmsPlatform
    icon = "site"
    menu_label = _("LMS platforms")
    list_display = ["name", "issuer", "client_id", "is_active"]
    search_fields = ["name", "issuer", "client_id"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            ToolUrlsPanel(heading=_("Enter these in the LMS")),
            FieldPanel("name"),
            FieldPanel("issuer"),
            FieldPanel("client_id"),
            FieldPanel("auth_url"),
            FieldPanel("token_url"),
            FieldPanel("keyset_url"),
            FieldPanel("audience"),
            FieldPanel("frame_origins"),
            FieldPanel("is_active"),
        ],
        base_form_class=LmsPlatformForm,
    )


class LmsDeploymentViewSet(ModelViewSet):
    name = "lms_deployments"
    model = LmsDeployment
    icon = "link"
    menu_label = _("LMS deployments")
    list_display = ["deployment_id", "registration", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("registration"), FieldPanel("deployment_id"), FieldPanel("organisation"), FieldPanel("is_active")],
        base_form_class=LmsDeploymentForm,
    )


class KeyViewSet(ModelViewSet):
    """The tool's key pairs: "Add" generates one. Rotate by adding a key, then deactivating the old one."""

    name = "lti_keys"
    model = Key
    icon = "key"
    menu_label = _("Tool keys")
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = [Column("kid", label=_("Key ID"), accessor=str), "datetime_created", "is_active"]
    edit_handler = ObjectList([FieldPanel("is_active")], base_form_class=KeyForm)


class ViewOnlyPolicy(ModelPermissionPolicy):
    """The grade record says what the LMS was told: it can be read, not changed."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action == "view"])


register_permission_policy(ScoreSubmission, ViewOnlyPolicy(ScoreSubmission))


class ScoreSubmissionViewSet(ModelViewSet):
    name = "lms_grades"
    model = ScoreSubmission
    icon = "doc-full"
    menu_label = _("Grades sent")
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []
    list_display = ["user", "placement", "score_given", "score_maximum", "activity_progress", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__username", "lti_user__sub"]
    inspect_view_fields = [
        "user",
        "lti_user",
        "placement",
        "score_given",
        "score_maximum",
        "activity_progress",
        "grading_progress",
        "timestamp",
        "status",
        "attempts",
        "line_item_url",
        "response_status",
        "error",
        "created_at",
        "sent_at",
    ]


class LtiViewSetGroup(ModelViewSetGroup):
    menu_label = _("LMS (LTI)")
    menu_icon = "link-external"
    menu_order = 320
    items = (LmsPlatformViewSet, LmsDeploymentViewSet, KeyViewSet, ScoreSubmissionViewSet)


@hooks.register("register_admin_viewset")
def register_lti_viewsets():
    return LtiViewSetGroup()


@hooks.register("personal_data_sections")
def lti_personal_data_sections(user):
    return lms_sections(user)


@hooks.register("before_delete_account")
def erase_lms_accounts(user):
    delete_lms_accounts(user)


@hooks.register("account_deletion_consequences")
def lms_deletion_consequences(context):
    return render_to_string("lti/includes/account_deletion.html")
