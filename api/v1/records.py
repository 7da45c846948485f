"""Members' progress, completions and the training record of the calling organisation (any token)."""

from typing import Annotated

from ninja import Query, Router
from ninja.pagination import paginate

from api.v1 import selectors
from api.v1.auth import read_token
from api.v1.errors import errors
from api.v1.pagination import Pagination
from api.v1.schemas import ProgressOut, TrainingRecordOut, UpdatedSince

router = Router(tags=["Progress and training record"], auth=read_token)
RECORD_ERRORS = errors(401, 404, 422, 429)


def in_group(request, group_id):
    return selectors.get_group_or_404(request.auth.organisation, group_id) if group_id is not None else None


@router.get("/progress", response={200: list[ProgressOut], **RECORD_ERRORS})
@paginate(Pagination)
def list_progress(
    request,
    group_id: Annotated[int | None, Query(None, description="Only this group.")] = None,
    completed: Annotated[
        bool | None, Query(None, description="Only completed (true) or unfinished (false) courses.")
    ] = None,
    updated_since: UpdatedSince = None,
):
    """Each learner on each course assigned to their group: lessons done, completion, quiz score, certificate.
    In the order of the training record (group, course, learner)."""
    return selectors.progress_rows(
        request.auth.organisation,
        group=in_group(request, group_id),
        updated_since=updated_since,
        completed=completed,
    )


@router.get("/completions", response={200: list[ProgressOut], **RECORD_ERRORS})
@paginate(Pagination)
def list_completions(
    request,
    group_id: Annotated[int | None, Query(None, description="Only this group.")] = None,
    updated_since: UpdatedSince = None,
):
    """The completed rows of /progress: who completed which assigned course, when, with which certificate."""
    return selectors.progress_rows(
        request.auth.organisation, group=in_group(request, group_id), updated_since=updated_since, completed=True
    )


@router.get("/training-record", response={200: list[TrainingRecordOut], **errors(401, 422, 429)})
@paginate(Pagination)
def list_training_record(request):
    """The training record to show an auditor (EU AI Act art. 4), as in the CSV export: named rows, then
    anonymised rows of members who deleted their account."""
    return selectors.training_record(request.auth.organisation)
