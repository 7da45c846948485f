"""What the tutor stores: indexed chunks of course text, index state per page, conversations."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pgvector.django import HnswIndex, VectorField


class Visibility(models.TextChoices):
    LEARNERS = "learners", _("Everyone who may view the page")
    TEACHERS = "teachers", _("Teachers and editors only")


class Chunk(models.Model):
    """A few hundred tokens of one lesson section, prefixed by course / lesson / section titles."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="tutor_chunks")
    course = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    locale = models.ForeignKey("wagtailcore.Locale", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text="Order of the chunk within its page.")
    anchor = models.CharField(max_length=100, blank=True)
    section_title = models.CharField(max_length=255, blank=True)
    heading_path = models.CharField(max_length=600, blank=True)
    text = models.TextField()
    token_count = models.PositiveIntegerField(default=0)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.LEARNERS)
    content_hash = models.CharField(max_length=64)
    embedding_model = models.CharField(max_length=200)
    embedding = VectorField(dimensions=settings.TUTOR_EMBEDDING_DIMENSIONS)
    search_vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tutor chunk")
        verbose_name_plural = _("tutor chunks")
        ordering = ["page_id", "position"]
        indexes = [
            # ef_construction 128 (pgvector's default is 64): recall@10 on course-like embeddings at
            # 100k chunks and ef_search 100 went from 0.91 to 0.95 for a build of 47 s instead of 34 s;
            # m=24 gained little more (0.96) for a larger, slower index. `make bench`, README.
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=128,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_vector_gin"),
            models.Index(fields=["page", "content_hash"], name="chunk_page_hash"),
        ]

    def __str__(self):
        return f"{self.heading_path} #{self.position}"


class PageIndexState(models.Model):
    """Per page: how many chunks, which model and revision, when last indexed, and the last error if any."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("tutor index status", "Queued")
        INDEXING = "indexing", pgettext_lazy("tutor index status", "Indexing")
        INDEXED = "indexed", pgettext_lazy("tutor index status", "Indexed")
        REMOVED = "removed", pgettext_lazy("tutor index status", "Removed")
        FAILED = "failed", pgettext_lazy("tutor index status", "Failed")

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, related_name="tutor_index_state")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    chunk_count = models.PositiveIntegerField(default=0)
    embedding_model = models.CharField(max_length=200, blank=True)
    last_indexed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Not a foreign key: purging old revisions must not lose which one the chunks came from.
    indexed_revision_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The page revision the stored chunks were made from; chunks of an older one never replace them.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tutor index state")
        verbose_name_plural = _("tutor index states")

    def __str__(self):
        return f"{self.page_id}: {self.status}"


class Conversation(models.Model):
    """A learner's talk with the tutor on one lesson.

    ``organisation`` is the organisation the conversation was held under, fixed when it starts
    (``tutor.answering.conversations.organisation_id_for``): only that organisation's teachers and
    admins may read it. Empty when no single organisation fits; then nobody but the learner reads it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_conversations")
    lesson = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="tutor_conversations"
    )
    # SET_NULL: the learner keeps their conversation when the organisation is deleted; nobody else reads it.
    organisation = models.ForeignKey(
        "lessons.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tutor_conversations",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tutor conversation")
        verbose_name_plural = _("tutor conversations")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user", "lesson", "-updated_at"])]

    def __str__(self):
        return f"{self.user} on page {self.lesson_id}"


class Message(models.Model):
    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        TUTOR = "tutor", _("Tutor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the tutor")
        STREAMING = "streaming", pgettext_lazy("tutor message status", "Streaming")
        COMPLETE = "complete", pgettext_lazy("tutor message status", "Complete")
        INTERRUPTED = "interrupted", pgettext_lazy("tutor message status", "Interrupted")
        FAILED = "failed", pgettext_lazy("tutor message status", "Failed")

    class Mode(models.TextChoices):
        """How a tutor reply was made."""

        LLM = "llm", _("Model answer")
        EXCERPTS = "excerpts", _("Course excerpts")
        COACHING = "coaching", _("Quiz coaching")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COMPLETE)
    error = models.TextField(blank=True)
    mode = models.CharField(max_length=20, blank=True, choices=Mode.choices)
    sources = models.JSONField(default=list, blank=True, help_text="The numbered sources the answer cited.")
    model = models.CharField(max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    reserved_tokens = models.PositiveIntegerField(
        default=0,
        help_text="Tokens held against the budgets while this reply is pending; its real usage counts once it ends.",
    )
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    rating = models.SmallIntegerField(null=True, blank=True, choices=[(1, _("Helpful")), (-1, _("Not helpful"))])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tutor message")
        verbose_name_plural = _("tutor messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.role}: {self.text[:60]}"


class ConversationAccess(models.Model):
    """Each time a teacher or manager reads a learner's conversation; the organisation admin and the learner see these.

    The reader's name and e-mail are copied onto the row when it is written, so the log still says
    who read a conversation after the reader's account is deleted (``reader`` then becomes empty).
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="accesses")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reader_name = models.CharField(_("reader's name"), max_length=300, blank=True)
    reader_email = models.EmailField(_("reader's e-mail"), blank=True)
    organisation = models.ForeignKey("lessons.Organisation", on_delete=models.CASCADE, related_name="tutor_accesses")
    accessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation reading")
        verbose_name_plural = _("conversation readings")
        ordering = ["-accessed_at"]

    def __str__(self):
        return f"{self.reader_name} read conversation {self.conversation_id}"


class SafetyFlag(models.Model):
    """A learner message that matched a safety rule, for the group's teacher to look at."""

    class Category(models.TextChoices):
        SELF_HARM = "self_harm", _("Self-harm")
        VIOLENCE = "violence", _("Violence")
        HARASSMENT = "harassment", _("Harassment")
        PERSONAL_DATA = "personal_data", _("Personal data shared")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="safety_flags")
    category = models.CharField(max_length=30, choices=Category.choices)
    source = models.CharField(max_length=20, default="rules", help_text="rules or moderation endpoint.")
    detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("safety flag")
        verbose_name_plural = _("safety flags")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_category_display()} on message {self.message_id}"


class OrganisationBudget(models.Model):
    """An organisation's monthly tutor budget; no row, or an empty field, means unlimited.

    The tutor owns it (not ``lessons.Organisation``) so organisations exist without the tutor.
    """

    organisation = models.OneToOneField(
        "lessons.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tutor_budget",
        verbose_name=_("organisation"),
    )
    monthly_question_budget = models.PositiveIntegerField(
        _("monthly question budget"),
        null=True,
        blank=True,
        help_text=_("Tutor questions per calendar month for all members; empty = unlimited."),
    )
    monthly_token_budget = models.PositiveIntegerField(
        _("monthly token budget"),
        null=True,
        blank=True,
        help_text=_("Model tokens per calendar month; empty = unlimited."),
    )
    per_learner_monthly_tokens = models.PositiveIntegerField(
        _("monthly tokens per learner"),
        null=True,
        blank=True,
        help_text=_("The most model tokens one member may use of this budget per calendar month; empty = no cap."),
    )

    class Meta:
        verbose_name = _("tutor budget")
        verbose_name_plural = _("tutor budgets")

    def __str__(self):
        return f"Tutor budget of {self.organisation}"
