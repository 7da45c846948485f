"""The LMS part of a person's data: which LMS accounts lead to theirs, and the grades sent to those LMSs.

Download: each LMS account (the LMS, its user id, the name and e-mail address it sent) and every grade
sent. Deleting the account deletes both here (the LMS account row would otherwise outlive it, as
django-lti only unlinks it); grades already in an LMS gradebook are the LMS's to keep or delete.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lti_tool.models import LtiUser

from cms.accounts.personal_data import Section
from lti.models import ScoreSubmission


def lms_sections(user):
    lms_users = LtiUser.objects.filter(auth_user=user).select_related("registration").order_by("datetime_created")
    yield Section(
        "lms_accounts",
        _("LMS accounts"),
        [
            {
                "lms": lms_user.registration.name,
                "issuer": lms_user.registration.issuer,
                "user_id": lms_user.sub,
                "name": lms_user.name or f"{lms_user.given_name} {lms_user.family_name}".strip(),
                "email": lms_user.email,
                "first_launch": lms_user.datetime_created,
            }
            for lms_user in lms_users
        ],
        columns=(
            ("lms", gettext_lazy("LMS")),
            ("user_id", gettext_lazy("Your user id there")),
            ("name", gettext_lazy("Name it sent")),
            ("email", gettext_lazy("E-mail it sent")),
            ("first_launch", gettext_lazy("First launch")),
        ),
        description=_("Launching this site from these learning platforms logs you into this account."),
    )
    submissions = ScoreSubmission.objects.filter(user=user).select_related("placement__page").order_by("created_at")
    yield Section(
        "lms_grades",
        _("Grades sent to LMSs"),
        [
            {
                "page": submission.placement.page.title,
                "score": submission.score_given,
                "maximum": submission.score_maximum,
                "progress": submission.activity_progress,
                "status": submission.status,
                "status_name": submission.get_status_display(),
                "created_at": submission.created_at,
                "sent_at": submission.sent_at,
            }
            for submission in submissions
        ],
        columns=(
            ("page", gettext_lazy("Lesson or course")),
            ("score", gettext_lazy("Score")),
            ("maximum", gettext_lazy("Out of")),
            ("status_name", gettext_lazy("Status")),
            ("sent_at", gettext_lazy("Sent")),
        ),
    )


def delete_lms_accounts(user):
    """Before the account goes: its LMS accounts (with their course memberships) and the grades record."""
    ScoreSubmission.objects.filter(user=user).delete()
    LtiUser.objects.filter(auth_user=user).delete()
