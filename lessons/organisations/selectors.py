"""Who may see which organisation, group, learner and export: every org view starts here.

Lookups return 404 (not 403) for objects outside the user's reach, so nobody can probe which
groups, learners or exports exist in another organisation.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from lessons.models import Assignment, ExportJob, Group, Membership, Organisation

Role = Membership.Role


def administered_organisations(user):
    return Organisation.objects.filter(memberships__user=user, memberships__role=Role.ADMIN).distinct()


def organisations_for_new_groups(user):
    """Teachers/managers and admins may open a class or team in their organisation."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=[Role.TEACHER, Role.ADMIN]
    ).distinct()


def managed_groups(user):
    """Groups the user teaches/manages, plus every group of organisations they administer."""
    if not user.is_authenticated:
        return Group.objects.none()
    teaches = Q(memberships__user=user, memberships__role=Role.TEACHER)
    administers = Q(organisation__memberships__user=user, organisation__memberships__role=Role.ADMIN)
    return Group.objects.filter(teaches | administers).select_related("organisation").distinct()


def can_manage_groups(user):
    return user.is_authenticated and user.memberships.filter(role__in=[Role.TEACHER, Role.ADMIN]).exists()


def learner_groups(user):
    return Group.objects.filter(memberships__user=user, memberships__role=Role.LEARNER).select_related("organisation")


def get_managed_group_or_404(user, pk):
    return get_object_or_404(managed_groups(user), pk=pk)


def get_administered_organisation_or_404(user, slug):
    return get_object_or_404(administered_organisations(user), slug=slug)


def get_group_learner_or_404(group, user_id):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), group=group, user_id=user_id, role=Role.LEARNER
    )
    return membership.user


def get_export_job_or_404(user, pk):
    """Any current admin of the job's organisation may see and download it; nobody else."""
    return get_object_or_404(ExportJob.objects.filter(organisation__in=administered_organisations(user)), pk=pk)


def group_learners(group):
    return [
        m.user for m in group.memberships.filter(role=Role.LEARNER).select_related("user").order_by("user__username")
    ]


def open_invitations(group):
    """Invitations not yet accepted nor revoked, newest first; expired ones are shown as such on the group page."""
    return group.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).order_by("-created_at")


def assigned_courses(groups):
    """The courses assigned to any of ``groups``, one per course whatever its language, by title.

    The one answer to "how many courses are assigned": the team table of the organisation page, the
    group page and "Completion by course" all count these. Where groups were assigned different
    translations of a course, the one assigned first names it.
    """
    courses = {}
    for assignment in Assignment.objects.filter(group__in=groups).select_related("course").order_by("assigned_at"):
        courses.setdefault(assignment.course.translation_key, assignment.course)
    return sorted(courses.values(), key=lambda course: course.title)
