"""Learning blocks of a lesson body: key terms, examples, quizzes, reflections, teacher notes.

Quiz answers live only in the stored block value; templates never print ``is_correct``,
``feedback`` or ``explanation`` before the learner submits (see lessons.learning.quizzes).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.blocks import CONTENT_BLOCKS, RICH_TEXT_FEATURES


def labelled(block, label):
    """Give ``block`` a translatable admin label without making it a constructor argument.

    Wagtail freezes a StreamField's block definitions, constructor arguments included, into the
    migrations; a label set after construction stays out of them, like ``Meta.label`` on a StructBlock.
    """
    block.meta.label = block.label = label
    return block


EXAMPLE_KINDS = [("worked_example", _("Worked example")), ("case_study", _("Case study"))]
QUESTION_KINDS = [("single", _("One answer")), ("multiple", _("Choose all that apply"))]


class KeyTermBlock(blocks.StructBlock):
    """A term and its definition; the course glossary collects these."""

    term = labelled(blocks.CharBlock(max_length=120), _("Term"))
    definition = labelled(blocks.TextBlock(max_length=600), _("Definition"))

    class Meta:
        icon = "tag"
        label = _("Key term")
        template = "lessons/blocks/key_term.html"


class ExampleBlock(blocks.StructBlock):
    kind = labelled(blocks.ChoiceBlock(choices=EXAMPLE_KINDS, default="worked_example"), _("Kind"))
    title = labelled(blocks.CharBlock(max_length=160), _("Title"))
    text = labelled(blocks.RichTextBlock(features=RICH_TEXT_FEATURES), _("Text"))

    class Meta:
        icon = "doc-full"
        label = _("Example")
        template = "lessons/blocks/example.html"


class OptionBlock(blocks.StructBlock):
    text = labelled(blocks.CharBlock(max_length=300), _("Text"))
    is_correct = labelled(blocks.BooleanBlock(required=False), _("Is correct"))
    feedback = labelled(blocks.CharBlock(required=False, max_length=400), _("Feedback"))
    pinned = labelled(
        blocks.BooleanBlock(
            required=False,
            help_text=_('Keep this option in its place when options are shuffled, e.g. "All of the above".'),
        ),
        _("Keep in place"),
    )

    class Meta:
        icon = "radio-empty"
        label = _("Option")


class QuestionBlock(blocks.StructBlock):
    prompt = labelled(blocks.CharBlock(max_length=400), _("Prompt"))
    kind = labelled(
        blocks.ChoiceBlock(choices=QUESTION_KINDS, default="single"),
        _("Kind"),
    )
    options = labelled(blocks.ListBlock(OptionBlock(), min_num=2), _("Options"))
    explanation = labelled(
        blocks.TextBlock(required=False, help_text=_("Shown after the learner submits.")), _("Explanation")
    )

    class Meta:
        icon = "help"
        label = _("Question")


class QuizBlock(blocks.StructBlock):
    # The default title is content: it is stored in the lesson in the editor's language, so it stays as typed.
    title = labelled(blocks.CharBlock(max_length=120, default="Check your understanding"), _("Title"))
    pass_mark = labelled(
        blocks.IntegerBlock(min_value=1, max_value=100, default=70, help_text=_("Percent to pass.")), _("Pass mark")
    )
    questions = labelled(blocks.ListBlock(QuestionBlock(), min_num=1), _("Questions"))
    questions_per_attempt = labelled(
        blocks.IntegerBlock(
            required=False,
            min_value=1,
            help_text=_("Each attempt draws this many questions from the pool. Leave empty to ask them all."),
        ),
        _("Questions per attempt"),
    )
    cooldown_minutes = labelled(
        blocks.IntegerBlock(
            required=False, min_value=0, help_text=_("Minutes a learner waits after a failed attempt. Optional.")
        ),
        _("Cooldown"),
    )
    max_attempts = labelled(
        blocks.IntegerBlock(
            required=False,
            min_value=1,
            help_text=_("Attempts that count towards the learner's record; later ones are practice. Optional."),
        ),
        _("Attempts that count"),
    )

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "lessons/blocks/quiz.html"


class ReflectionBlock(blocks.StructBlock):
    """A prompt whose answer the learner keeps in their notes."""

    prompt = labelled(blocks.TextBlock(max_length=600), _("Prompt"))

    class Meta:
        icon = "openquote"
        label = _("Reflection")
        template = "lessons/blocks/reflection.html"


class TeacherNoteBlock(blocks.StructBlock):
    """Guidance for teachers only: never rendered to students nor retrieved for them."""

    text = labelled(blocks.RichTextBlock(features=RICH_TEXT_FEATURES), _("Text"))

    class Meta:
        icon = "user"
        label = _("Teacher note")
        template = "lessons/blocks/teacher_note.html"


class SourceBlock(blocks.StructBlock):
    title = labelled(blocks.CharBlock(max_length=300), _("Title"))
    publisher = labelled(blocks.CharBlock(max_length=200), _("Publisher"))
    date = labelled(
        blocks.CharBlock(max_length=40, required=False, help_text=_('As the source gives it: "2024-07-12" or "2018".')),
        _("Date"),
    )
    url = labelled(blocks.URLBlock(required=False), _("Link"))

    class Meta:
        icon = "link"
        label = _("Source")


class SourcesBlock(blocks.StructBlock):
    """Where a lesson's legal and factual claims come from, and when someone last checked them.

    The tutor indexes it as its own section, so an answer about a date or a law can cite the source.
    """

    items = labelled(blocks.ListBlock(SourceBlock(), min_num=1), _("Sources"))
    last_checked = labelled(
        blocks.DateBlock(required=False, help_text=_("When the claims were last checked against these sources.")),
        _("Last checked"),
    )

    class Meta:
        icon = "list-ul"
        label = _("Sources")
        template = "lessons/blocks/sources.html"


LESSON_BODY_BLOCKS = CONTENT_BLOCKS + [
    ("key_term", KeyTermBlock()),
    ("example", ExampleBlock()),
    ("quiz", QuizBlock()),
    ("reflection", ReflectionBlock()),
    ("teacher_note", TeacherNoteBlock()),
    ("sources", SourcesBlock()),
]
