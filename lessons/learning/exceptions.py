"""What can go wrong in a learner's write; views turn each into a clear 400/403/404."""


class NotEnrollable(Exception):
    """The course cannot take enrolments (not live)."""


class NotEnrolled(PermissionError):
    """Only learners enrolled in the lesson's course may submit its quizzes or keep notes on it."""


class QuizInputError(ValueError):
    """The submission does not fit the quiz: the view answers 400 and stores nothing."""


class QuizCoolingDown(Exception):
    """The learner failed this quiz a moment ago and its cooldown has not ended."""


class QuizNotFound(LookupError):
    """No quiz block with that id in the lesson."""


class ReflectionNotFound(LookupError):
    """No reflection block with that id in the lesson."""
