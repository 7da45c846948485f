"""Which LMS gradebooks a learner's result goes to, and what that result is.

A result of a lesson goes to every placement of that lesson or of its course (in any language:
placements are matched by translation key) in an LMS course where the learner has the Learner role,
when that course's launches carried the grade-service claim with the score scope and there is a line
item to send to: one the LMS named for the link, or one the tool may create (line item scope).

The result is the learner's whole current standing, not the last event, so each grade sent replaces
the one before it in the gradebook:

* a lesson with quizzes: the mean, over its quizzes, of the best attempt that counts towards the
  record (practice attempts beyond ``max_attempts`` do not), out of 100; "Completed" once the lesson
  is complete, else "Submitted";
* a lesson without a quiz: 100 once complete ("Completed");
* a course: the share of its live lessons completed, out of 100; "Completed" once the course is.
"""

from dataclasses import dataclass

from django.db.models import Max
from lti_tool.lti_core.constants import AgsScope
from lti_tool.models import LtiMembership

from lessons.learning.selectors import course_progress, quiz_block_ids
from lessons.models import LessonProgress, QuizAttempt
from lti.models import Placement, ScoreSubmission

SCORE_MAXIMUM = 100.0
COMPLETED, SUBMITTED, IN_PROGRESS = "Completed", "Submitted", "InProgress"  # AGS activityProgress
FULLY_GRADED = "FullyGraded"  # AGS gradingProgress: the score is final as it stands


@dataclass(frozen=True)
class Result:
    score_given: float
    activity_progress: str
    score_maximum: float = SCORE_MAXIMUM
    grading_progress: str = FULLY_GRADED


def has_line_item(placement) -> bool:
    context = placement.resource_link.context
    return bool(placement.line_item_url or (context.lineitems_url and context.can_manage_lineitems))


def graded_placements(user, lesson):
    """[(placement, the learner's LtiUser there)] that a result of ``lesson`` (or its course) goes to."""
    course = lesson.get_parent()
    placements = Placement.objects.filter(
        page__translation_key__in=[lesson.translation_key, course.translation_key],
        resource_link__context__can_publish_scores=True,
    ).select_related("page", "resource_link__context")
    learners = {
        membership.context_id: membership.user
        for membership in LtiMembership.objects.filter(
            user__auth_user=user, is_learner=True, context__in=placements.values("resource_link__context")
        ).select_related("user")
    }
    return [
        (placement, learners[placement.resource_link.context_id])
        for placement in placements
        if placement.resource_link.context_id in learners and has_line_item(placement)
    ]


def lesson_result(user, lesson) -> Result:
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    completed = bool(progress and progress.completed_at)
    quizzes = quiz_block_ids(lesson)
    if not quizzes:
        return Result(SCORE_MAXIMUM if completed else 0.0, COMPLETED if completed else IN_PROGRESS)
    best = (
        QuizAttempt.objects.filter(user=user, lesson=lesson, counts_towards_record=True, quiz_block_id__in=quizzes)
        .values("quiz_block_id")
        .annotate(best=Max("score_percent"))
    )
    score = sum(row["best"] for row in best) / len(quizzes)
    return Result(round(score, 2), COMPLETED if completed else SUBMITTED)


def course_result(user, course) -> Result:
    progress = course_progress(user, course)
    return Result(float(progress.percent), COMPLETED if progress.complete else IN_PROGRESS)


def result_for(user, lesson, placement) -> Result:
    """The learner's result for what ``placement`` opens: the lesson (in the language taken) or its course."""
    if placement.page.translation_key == lesson.translation_key:
        return lesson_result(user, lesson)
    return course_result(user, lesson.get_parent().specific)


def latest_submission(placement, lti_user):
    return ScoreSubmission.objects.filter(placement=placement, lti_user=lti_user).first()


def newer_submission_exists(submission) -> bool:
    return ScoreSubmission.objects.filter(
        placement_id=submission.placement_id, lti_user_id=submission.lti_user_id, pk__gt=submission.pk
    ).exists()


def granted_scopes(context):
    """The grade-service scopes the LMS granted in this course's launches (what the tool asks tokens for)."""
    granted = {
        AgsScope.MANAGE_LINEITEMS: context.can_manage_lineitems,
        AgsScope.QUERY_LINEITEMS: context.can_query_lineitems,
        AgsScope.PUBLISH_SCORES: context.can_publish_scores,
        AgsScope.ACCESS_RESULTS: context.can_access_results,
    }
    return [scope.value for scope, allowed in granted.items() if allowed]
