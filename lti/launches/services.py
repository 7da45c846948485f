"""Carrying out a verified launch: the learner's account, their class, their enrolment, where grades go.

* **Account.** An LMS user is its issuer and ``sub`` (django-lti's ``LtiUser``). The first launch
  creates an account for them, with the names the LMS sent, an unusable password and no e-mail
  address; later launches (also through another registration of the same LMS) log into that account.
  Accounts are never linked by e-mail: LTI has no "e-mail verified" claim, LMS users and LMS admins
  can often set any address, and linking would hand a platform account (a teacher's, an admin's) to
  whoever controls an LMS account with its address. The address stays on the ``LtiUser`` only. Nor
  does a launch ever log into a staff account (one an administrator linked by hand): whoever runs an
  LMS must not reach this site's admin through it.
* **Class.** The LMS course (context) fills one class of the organisation its deployment belongs to,
  created on the first launch with the course's title and no join code (the LMS decides who is in it).
  LMS instructors and course admins become its teachers, learners its learners; a later launch with
  another role changes the role (the LMS is the source of truth for its classes). Other roles (mentor,
  observer) join nothing.
* **Enrolment.** Launching into a lesson or course assigns that course to the class (once; a due date a
  teacher set stays) and enrols everyone but teachers in it.
* **Placement.** The resource link remembers its page, and the line item from the grade-service claim.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from lti_tool.models import LtiUser
from lti_tool.utils import sync_data_from_launch
from wagtail.models import Page

from cms.languages import save_preferred_language
from lessons.learning.services import enrol
from lessons.models import Assignment, CoursePage, Membership
from lessons.organisations.services import add_member, assign_course, create_group, set_join_code_enabled
from lti.exceptions import LaunchRefused
from lti.models import ContextGroup, Placement

from .selectors import group_role, in_language, launch_language, may_pick_content, target_page

Role = Membership.Role


@dataclass(frozen=True)
class Arrival:
    """Who the launch logs in, and where they go: a page (in the launch's language), the picker, or neither."""

    user: object
    page: Page | None = None
    deep_linking: bool = False


@transaction.atomic
def arrive(lti_launch) -> Arrival:
    """Everything a verified launch changes, in one transaction; LaunchRefused when the tool will not go on."""
    sync_data_from_launch(lti_launch)  # django-lti: LMS user, context, membership, resource link
    language = launch_language(lti_launch)
    user = account_for(lti_launch.user, language=language)
    membership = lti_launch.membership if lti_launch.context_claim else None
    role = group_role(membership)
    group = None
    if role is not None:
        group = class_for(lti_launch.context, lti_launch.deployment.organisation)
        join_class(user, group, role)
    if lti_launch.is_deep_link_launch:
        if not may_pick_content(membership):
            raise LaunchRefused(_("Only the LMS course's teachers can add lessons from this site to it."))
        return Arrival(user=user, deep_linking=True)
    if not lti_launch.is_resource_launch:
        raise LaunchRefused(_("This site opens lessons and courses from an LMS; it cannot answer this request."), 400)
    page = target_page(lti_launch)
    if page is None:
        return Arrival(user=user)
    place(lti_launch.resource_link, page, lti_launch.ags_claim)
    course = page if isinstance(page, CoursePage) else page.get_parent().specific
    if group is not None:
        assign_once(group, course)
    if role != Role.TEACHER:
        enrol(user=user, course=course)
    return Arrival(user=user, page=in_language(page, language))


def account_for(lti_user, *, language=None):
    """The account of this LMS user: linked already, linked to the same person through another client id, or new."""
    lti_user = (
        LtiUser.objects.select_for_update(of=("self",)).select_related("auth_user", "registration").get(pk=lti_user.pk)
    )
    user = lti_user.auth_user or _account_of_same_person(lti_user)
    if user is None:
        user = _new_account(lti_user)
        if language:
            save_preferred_language(user, language)
    elif user.is_staff or user.is_superuser:
        raise LaunchRefused(_("An LMS cannot log into a staff account of this site."))
    elif not user.has_usable_password():
        _update_names(user, lti_user)  # an account of the LMS's own: its names follow the LMS
    if lti_user.auth_user_id != user.pk:
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


def _account_of_same_person(lti_user):
    """``sub`` is unique per issuer, so the same LMS user under another registration is the same person."""
    other = (
        LtiUser.objects.filter(registration__issuer=lti_user.registration.issuer, sub=lti_user.sub)
        .exclude(pk=lti_user.pk)
        .filter(auth_user__isnull=False)
        .select_related("auth_user")
        .first()
    )
    return other.auth_user if other else None


def _names(lti_user):
    if lti_user.given_name or lti_user.family_name:
        return lti_user.given_name[:150], lti_user.family_name[:150]
    first, _space, last = lti_user.name.partition(" ")
    return first[:150], last[:150]


def _new_account(lti_user):
    first_name, last_name = _names(lti_user)
    base = slugify(f"{first_name} {last_name}", allow_unicode=True)[:40] or "lms-user"
    user = get_user_model()(username=f"{base}-{secrets.token_hex(4)}", first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user


def _update_names(user, lti_user):
    first_name, last_name = _names(lti_user)
    if (first_name or last_name) and (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])


def class_for(context, organisation):
    """The class this LMS course fills in ``organisation``, created on its first launch there.

    The caller's transaction holds the context's row (django-lti's ``update_or_create`` locked it), so
    two first launches into one course create one class.
    """
    link = ContextGroup.objects.select_related("group").filter(context=context, organisation=organisation).first()
    if link is not None:
        return link.group
    name = context.title or context.label or _("LMS course %(id)s") % {"id": context.id_on_platform}
    group = create_group(organisation=organisation, name=name[:200], created_by=None)
    set_join_code_enabled(group, False)
    ContextGroup.objects.create(context=context, organisation=organisation, group=group)
    return group


def join_class(user, group, role):
    """Put ``user`` in the class with ``role``; the LMS's current role replaces an earlier one."""
    membership, created = add_member(user=user, group=group, role=role)
    if not created and membership.role != role:
        membership.role = role
        membership.save()
    return membership


def assign_once(group, course):
    """Assign the course to the class unless it already is (in any language): a teacher's due date stays."""
    if not Assignment.objects.filter(group=group, course__translation_key=course.translation_key).exists():
        assign_course(group=group, course=course, due_date=None, assigned_by=None)


def place(resource_link, page, ags_claim):
    """Remember the link's page and the line item the LMS names for it; moved to another page, it drops the old one."""
    line_item_url = (ags_claim or {}).get("lineitem", "")
    placement = Placement.objects.filter(resource_link=resource_link).first() or Placement(resource_link=resource_link)
    if line_item_url or placement.page_id != page.pk:
        placement.line_item_url = line_item_url
    placement.page = page
    placement.save()
    return placement
