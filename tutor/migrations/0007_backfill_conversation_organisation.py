"""Back-fill ``Conversation.organisation`` and the reader's name and e-mail on existing access-log rows.

The organisation follows ``tutor.answering.conversations.organisation_id_for`` as it stood when this
migration was written (a frozen copy, as migrations must not import code that may change): the one
organisation that assigned the lesson's course (any translation) to a group the learner is a learner
in, else the learner's one organisation. Where that is ambiguous the conversation stays without one,
i.e. readable by nobody but the learner.
"""

from django.db import migrations

LEARNER = "learner"
STEPLEN = 4  # Wagtail's tree path segment length


def organisation_id_for(apps, user_id, lesson):
    Assignment = apps.get_model("lessons", "Assignment")
    Membership = apps.get_model("lessons", "Membership")
    Page = apps.get_model("wagtailcore", "Page")
    groups = Membership.objects.filter(user_id=user_id, role=LEARNER, group__isnull=False)
    if lesson is not None:
        course = Page.objects.filter(path=lesson.path[:-STEPLEN]).first()
        if course is not None:
            assigned = set(
                Assignment.objects.filter(
                    group__in=groups.values("group_id"), course__translation_key=course.translation_key
                ).values_list("group__organisation_id", flat=True)
            )
            if len(assigned) == 1:
                return assigned.pop()
            if assigned:
                return None
    organisations = set(groups.values_list("organisation_id", flat=True))
    return organisations.pop() if len(organisations) == 1 else None


def backfill(apps, schema_editor):
    Conversation = apps.get_model("tutor", "Conversation")
    ConversationAccess = apps.get_model("tutor", "ConversationAccess")
    for conversation in Conversation.objects.filter(organisation__isnull=True).select_related("lesson").iterator():
        organisation_id = organisation_id_for(apps, conversation.user_id, conversation.lesson)
        if organisation_id is not None:
            Conversation.objects.filter(pk=conversation.pk).update(organisation_id=organisation_id)
    for access in ConversationAccess.objects.filter(reader__isnull=False, reader_name="").select_related("reader"):
        reader = access.reader
        access.reader_name = f"{reader.first_name} {reader.last_name}".strip() or reader.username
        access.reader_email = reader.email
        access.save(update_fields=["reader_name", "reader_email"])


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0007_certificate_language"),
        ("tutor", "0006_conversation_organisation_reader_name"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
