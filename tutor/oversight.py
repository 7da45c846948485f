"""The two oversight hooks the answering flow calls for every learner question.

* ``check_budget(user)`` -- before the question is saved; raises ``BudgetExhausted`` whose
  ``message`` is the text to show the learner (which organisation, and when the budget resets).
  One query. Policy for learners in several organisations: see ``tutor.budget``.
* ``screen_message(message)`` -- after the learner's message is saved and outside a transaction;
  runs the safety rules and, when ``TUTOR_MODERATION_MODEL`` is set, the moderation endpoint, and
  creates ``SafetyFlag`` rows. A failing moderation endpoint is logged and never blocks the question.
"""

from tutor.budget import BudgetExhausted, check_budget
from tutor.safety import screen_message

__all__ = ["BudgetExhausted", "check_budget", "screen_message"]
