"""Demo school and business for local development, created idempotently after the demo accounts.

Tallinn Demo School: class "Class 9B", teacher "teacher", learner "student", "AI basics" assigned.
Northwind Demo Ltd: team "Customer Service Team", "manager" as organisation admin and team manager,
"AI at work" assigned. A course that is not loaded yet is skipped with a note, never an error.
Learners are enrolled in what is assigned to them, as joining a group would do.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from lessons.models import Assignment, CoursePage, Group, Membership, Organisation
from lessons.organisations.selectors import group_learners
from lessons.organisations.services import enrol_in_assignments

Role = Membership.Role


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    slug: str
    kind: str
    group_name: str
    join_code: str
    staff: tuple  # (username, role, in the group?)
    learners: tuple
    course_slug: str
    due_in_days: int


DEMO_ORGANISATIONS = [
    DemoOrganisation(
        "Tallinn Demo School",
        "tallinn-demo-school",
        Organisation.Kind.SCHOOL,
        "Class 9B",
        "CLASS9B",
        (("teacher", Role.TEACHER, True),),
        ("student",),
        "ai-basics",
        21,
    ),
    DemoOrganisation(
        "Northwind Demo Ltd",
        "northwind-demo-ltd",
        Organisation.Kind.BUSINESS,
        "Customer Service Team",
        "NWTEAM26",
        (("manager", Role.ADMIN, False), ("manager", Role.TEACHER, True)),
        (),
        "ai-at-work",
        30,
    ),
]


def seed_demo_organisations(report=print):
    """Create (or top up) the demo organisations; expects the demo accounts to exist already."""
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=["teacher", "student", "manager"])
    }
    for demo in DEMO_ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            slug=demo.slug, defaults={"name": demo.name, "kind": demo.kind}
        )
        group, _ = Group.objects.get_or_create(
            organisation=organisation, name=demo.group_name, defaults={"join_code": demo.join_code}
        )
        for username, role, in_group in demo.staff:
            if username in users:
                Membership.objects.get_or_create(
                    user=users[username],
                    organisation=organisation,
                    group=group if in_group else None,
                    defaults={"role": role},
                )
        for username in demo.learners:
            if username in users:
                Membership.objects.get_or_create(
                    user=users[username], organisation=organisation, group=group, defaults={"role": Role.LEARNER}
                )
        course = CoursePage.objects.live().filter(slug=demo.course_slug).first()
        if course is None:
            report(
                f"  {demo.name}: course '{demo.course_slug}' is not loaded yet, so nothing is assigned to {group.name}."
            )
            continue
        assignment, _ = Assignment.objects.get_or_create(
            group=group,
            course=course,
            defaults={
                "due_date": timezone.localdate() + timedelta(days=demo.due_in_days),
                "assigned_by": group.created_by,
            },
        )
        enrol_in_assignments(learners=group_learners(group), assignments=[assignment])
        report(f"  {demo.name}: {group.name} (join code {group.join_code}) has '{course.title}' assigned.")
