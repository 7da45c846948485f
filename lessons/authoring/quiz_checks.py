"""Answer-pattern checks: cues that let a learner pass a quiz without reading the lesson.

Shuffling hides where the right option sits, but not that it is the longest one, nor that every
multi-answer question has the same number of right options; and pinned options keep their place.
The checks warn authors, in the editor after saving and in the curriculum loader. They never block
publishing, because a pattern can be deliberate in one quiz; what matters is that authors see it.
"""

from collections import Counter

from django.utils.translation import gettext as _

MIN_QUESTIONS = 3  # below this, any pattern is as likely to be chance as habit
BIAS_SHARE = 0.6


def quiz_warnings(quiz) -> list[str]:
    """Warnings about answer-position and answer-length bias in one quiz block value."""
    questions = [question for question in quiz["questions"]]
    singles = [question for question in questions if question["kind"] == "single"]
    multiples = [question for question in questions if question["kind"] == "multiple"]
    warnings = []
    if len(singles) >= MIN_QUESTIONS:
        positions = Counter(_right_positions(question)[0] for question in singles)
        position, count = positions.most_common(1)[0]
        if count >= BIAS_SHARE * len(singles):
            warnings.append(
                _("The right answer is option %(position)d in %(count)d of %(total)d one-answer questions.")
                % {"position": position, "count": count, "total": len(singles)}
            )
        longest = sum(_right_is_longest(question) for question in singles)
        if longest >= BIAS_SHARE * len(singles):
            warnings.append(
                _("The right answer is the longest option in %(count)d of %(total)d one-answer questions.")
                % {"count": longest, "total": len(singles)}
            )
    if len(multiples) >= MIN_QUESTIONS:
        shapes = Counter((len(_right_positions(question)), len(question["options"])) for question in multiples)
        (right, options), count = shapes.most_common(1)[0]
        if count == len(multiples):
            warnings.append(
                _(
                    "Every multi-answer question has %(right)d right options out of %(options)d: "
                    "vary the number, from one to all."
                )
                % {"right": right, "options": options}
            )
        first_right = sum(1 in _right_positions(question) for question in multiples)
        if first_right == len(multiples):
            warnings.append(_("The first option is right in every multi-answer question."))
    return warnings


def page_quiz_warnings(page) -> list[str]:
    """Every quiz warning of a lesson page, each naming its quiz."""
    return [
        f"{block.value['title']}: {warning}"
        for block in getattr(page, "body", [])
        if block.block_type == "quiz"
        for warning in quiz_warnings(block.value)
    ]


def _right_positions(question):
    return [number for number, option in enumerate(question["options"], start=1) if option["is_correct"]]


def _right_is_longest(question):
    lengths = [(len(option["text"]), option["is_correct"]) for option in question["options"]]
    longest = max(length for length, _right in lengths)
    holders = [right for length, right in lengths if length == longest]
    return holders == [True]
