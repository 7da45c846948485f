"""Public endpoints: the course catalogue and certificate verification (no token; metered per client address)."""

from typing import Annotated, Literal

from django.conf import settings
from ninja import Query, Router
from ninja.pagination import paginate

from api.v1 import selectors
from api.v1.auth import count_anonymous_call
from api.v1.errors import errors
from api.v1.pagination import Pagination
from api.v1.schemas import CertificateOut, CourseOut, LessonOut, UpdatedSince

router = Router(tags=["Catalogue (public)"], auth=None)
Locale = Literal[tuple(code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES)]


@router.get("/courses", response={200: list[CourseOut], **errors(422, 429)})
@paginate(Pagination)
def list_courses(
    request,
    locale: Annotated[Locale | None, Query(None, description="Only courses in this language.")] = None,
    updated_since: UpdatedSince = None,
):
    """Published courses, in every language unless ``locale`` picks one; oldest publication first."""
    count_anonymous_call(request)
    return selectors.public_courses(locale=locale, updated_since=updated_since)


@router.get("/courses/{course_id}", response={200: CourseOut, **errors(404, 422, 429)})
def get_course(request, course_id: int):
    count_anonymous_call(request)
    return selectors.get_public_course_or_404(course_id)


@router.get("/courses/{course_id}/lessons", response={200: list[LessonOut], **errors(404, 422, 429)})
@paginate(Pagination)
def list_lessons(request, course_id: int):
    """The course's published lessons in course order."""
    count_anonymous_call(request)
    return selectors.course_lessons(selectors.get_public_course_or_404(course_id))


@router.get("/certificates/{code}", response={200: CertificateOut, **errors(404, 422, 429)})
def verify_certificate(request, code: str):
    """What the certificate says, as on the public verification page; ``valid`` is false once it was revoked."""
    count_anonymous_call(request)
    return selectors.get_certificate_or_404(code)
