"""The JSON bodies of webhook deliveries: the same shapes as the API's v1 schemas (MemberRef, CourseRef, …).

Every body is ``{"id", "type", "created_at", "organisation": {slug, name}, "data": {...}}``, where ``id``
is the delivery's id (also in ``X-Webhook-Id``; the same on every retry, so receivers can ignore repeats)
and ``data`` depends on ``type``:

* ``course.completed``: member, course, groups, completed_at;
* ``lesson.completed``: member, course, lesson, groups, completed_at;
* ``certificate.issued``: member, course, groups, certificate (code, issued_at, language).
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from api.v1.schemas import CourseRef, GroupRef, MemberRef


def dump(schema, value):
    return schema.from_orm(value).model_dump(mode="json")


def course_completed(enrolment):
    return {
        "member": dump(MemberRef, enrolment.user),
        "course": dump(CourseRef, enrolment.course),
        "completed_at": enrolment.completed_at,
    }


def lesson_completed(progress, course):
    lesson = progress.lesson
    return {
        "member": dump(MemberRef, progress.user),
        "course": dump(CourseRef, course),
        "lesson": {"id": lesson.pk, "title": lesson.title, "locale": lesson.locale.language_code},
        "completed_at": progress.completed_at,
    }


def certificate_issued(certificate):
    return {
        "member": dump(MemberRef, certificate.user),
        "course": dump(CourseRef, certificate.course),
        "certificate": {
            "code": certificate.code,
            "issued_at": certificate.issued_at,
            "language": certificate.language,
        },
    }


def body(delivery, organisation, groups, data):
    """The exact text POSTed (and signed) for ``delivery``."""
    envelope = {
        "id": str(delivery.uuid),
        "type": delivery.event,
        "created_at": timezone.now(),
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "data": {**data, "groups": [dump(GroupRef, group) for group in groups]},
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
