"""Learning blocks of a lesson body: key terms, examples, quizzes, reflections, teacher notes.

Quiz answers live only in the stored block value; templates never print ``is_correct``,
``feedback`` or ``explanation`` before the learner submits (see lessons.learning.quizzes).
"""

from wagtail import blocks

from cms.blocks import CONTENT_BLOCKS, RICH_TEXT_FEATURES


class KeyTermBlock(blocks.StructBlock):
    """A term and its definition; the course glossary collects these."""

    term = blocks.CharBlock(max_length=120)
    definition = blocks.TextBlock(max_length=600)

    class Meta:
        icon = "tag"
        template = "lessons/blocks/key_term.html"


class ExampleBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("worked_example", "Worked example"), ("case_study", "Case study")],
        default="worked_example",
    )
    title = blocks.CharBlock(max_length=160)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        template = "lessons/blocks/example.html"


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)
    is_correct = blocks.BooleanBlock(required=False)
    feedback = blocks.CharBlock(required=False, max_length=400)

    class Meta:
        icon = "radio-empty"


class QuestionBlock(blocks.StructBlock):
    prompt = blocks.CharBlock(max_length=400)
    kind = blocks.ChoiceBlock(
        choices=[("single", "One answer"), ("multiple", "Choose all that apply")], default="single"
    )
    options = blocks.ListBlock(OptionBlock(), min_num=2)
    explanation = blocks.TextBlock(required=False, help_text="Shown after the learner submits.")

    class Meta:
        icon = "help"


class QuizBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, default="Check your understanding")
    pass_mark = blocks.IntegerBlock(min_value=1, max_value=100, default=70, help_text="Percent to pass.")
    questions = blocks.ListBlock(QuestionBlock(), min_num=1)

    class Meta:
        icon = "tasks"
        template = "lessons/blocks/quiz.html"


class ReflectionBlock(blocks.StructBlock):
    """A prompt whose answer the learner keeps in their notes."""

    prompt = blocks.TextBlock(max_length=600)

    class Meta:
        icon = "openquote"
        template = "lessons/blocks/reflection.html"


class TeacherNoteBlock(blocks.StructBlock):
    """Guidance for teachers only: never rendered to students nor retrieved for them."""

    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "user"
        template = "lessons/blocks/teacher_note.html"


LESSON_BODY_BLOCKS = CONTENT_BLOCKS + [
    ("key_term", KeyTermBlock()),
    ("example", ExampleBlock()),
    ("quiz", QuizBlock()),
    ("reflection", ReflectionBlock()),
    ("teacher_note", TeacherNoteBlock()),
]
