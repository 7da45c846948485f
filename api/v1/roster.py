"""The calling organisation, its groups (classes, teams), their members and assignments: read with any token,
changed with a write token. Groups are looked up within the token's organisation only (another's is a 404)."""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from api.v1 import selectors, services
from api.v1.auth import read_token, write_token
from api.v1.errors import ApiError, errors
from api.v1.pagination import Pagination
from api.v1.schemas import (
    AssignmentIn,
    AssignmentOut,
    Email,
    GroupIn,
    GroupOut,
    InvitationOut,
    MemberIn,
    MemberOut,
    OrganisationOut,
    UpdatedSince,
)
from lessons.organisations import services as organisation_services
from lessons.organisations.selectors import open_invitations

router = Router(tags=["Organisation and groups"], auth=read_token)
READ_ERRORS = errors(401, 422, 429)
WRITE_ERRORS = errors(400, 401, 403, 404, 422, 429)


def organisation_of(request):
    return request.auth.organisation


def group_of(request, group_id):
    return selectors.get_group_or_404(organisation_of(request), group_id)


@router.get("/organisation", response={200: OrganisationOut, **READ_ERRORS})
def get_organisation(request):
    """The organisation the token belongs to; every other endpoint is about it."""
    organisation = organisation_of(request)
    return {
        "name": organisation.name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "token_scope": request.auth.scope,
    }


@router.get("/groups", response={200: list[GroupOut], **READ_ERRORS})
@paginate(Pagination)
def list_groups(request, updated_since: UpdatedSince = None):
    """Classes (schools) or teams (businesses), oldest change first."""
    return selectors.organisation_groups(organisation_of(request), updated_since=updated_since)


@router.post("/groups", auth=write_token, response={201: GroupOut, **WRITE_ERRORS})
def create_group(request, payload: GroupIn):
    return Status(201, organisation_services.create_group(organisation=organisation_of(request), name=payload.name))


@router.get("/groups/{group_id}", response={200: GroupOut, **READ_ERRORS, **errors(404)})
def get_group(request, group_id: int):
    return group_of(request, group_id)


@router.patch("/groups/{group_id}", auth=write_token, response={200: GroupOut, **WRITE_ERRORS})
def rename_group(request, group_id: int, payload: GroupIn):
    return organisation_services.rename_group(group_of(request, group_id), payload.name)


@router.delete("/groups/{group_id}", auth=write_token, response={204: None, **WRITE_ERRORS})
def delete_group(request, group_id: int):
    """Deletes the group with its memberships, invitations and assignments; members keep their own records."""
    organisation_services.delete_group(group_of(request, group_id))
    return Status(204, None)


@router.get("/groups/{group_id}/members", response={200: list[MemberOut], **READ_ERRORS, **errors(404)})
@paginate(Pagination)
def list_members(request, group_id: int, updated_since: UpdatedSince = None):
    """Learners and teachers (managers) of the group, oldest change first."""
    return selectors.group_members(group_of(request, group_id), updated_since=updated_since)


@router.post(
    "/groups/{group_id}/members",
    auth=write_token,
    response={200: MemberOut, 201: MemberOut, 202: InvitationOut, **WRITE_ERRORS, **errors(409, 503)},
)
def add_member(request, group_id: int, payload: MemberIn):
    """Add someone by e-mail: 201 added (their account is already in your organisation), 200 already in the group
    (their role is left as it is), 202 invited by e-mail (they join when they accept)."""
    placed = services.place_member(
        group=group_of(request, group_id),
        email=payload.email,
        role=payload.role,
        site_url=request.build_absolute_uri("/"),
    )
    if placed.outcome == "invited":
        return Status(202, placed.invitation)
    return Status(201 if placed.outcome == "added" else 200, placed.membership)


@router.delete("/groups/{group_id}/members", auth=write_token, response={204: None, **WRITE_ERRORS})
def remove_member(
    request, group_id: int, email: Annotated[Email, Query(..., description="The member's e-mail address.")]
):
    """Take the person with this address out of the group, and withdraw any invitation of theirs that is open."""
    if not services.remove_member(group=group_of(request, group_id), email=email):
        raise ApiError(404, "not_found", _("Nobody with this e-mail address is in the group or invited to it."))
    return Status(204, None)


@router.get("/groups/{group_id}/invitations", response={200: list[InvitationOut], **READ_ERRORS, **errors(404)})
@paginate(Pagination)
def list_invitations(request, group_id: int):
    """Invitations sent and neither accepted nor withdrawn yet (expired ones too, with their expiry), newest first."""
    return open_invitations(group_of(request, group_id))


@router.get("/groups/{group_id}/assignments", response={200: list[AssignmentOut], **READ_ERRORS, **errors(404)})
@paginate(Pagination)
def list_assignments(request, group_id: int, updated_since: UpdatedSince = None):
    return selectors.group_assignments(group_of(request, group_id), updated_since=updated_since)


@router.post(
    "/groups/{group_id}/assignments",
    auth=write_token,
    response={200: AssignmentOut, 201: AssignmentOut, **WRITE_ERRORS},
)
def create_assignment(request, group_id: int, payload: AssignmentIn):
    """Assign a course to the group (its learners are enrolled). The group has one assignment per course whatever
    its language: assigning it again, or a translation of it, changes that assignment (200) instead of adding one."""
    assignment, created = services.assign(
        group=group_of(request, group_id), course_id=payload.course_id, due_date=payload.due_date
    )
    return Status(201 if created else 200, selectors.get_assignment_or_404(assignment.group, assignment.pk))


@router.delete("/groups/{group_id}/assignments/{assignment_id}", auth=write_token, response={204: None, **WRITE_ERRORS})
def delete_assignment(request, group_id: int, assignment_id: int):
    """Withdraw the assignment; learners keep their enrolment and progress in the course."""
    organisation_services.unassign_course(selectors.get_assignment_or_404(group_of(request, group_id), assignment_id))
    return Status(204, None)
