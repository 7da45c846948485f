"""Turn a lesson (or course) page into chunks the tutor can embed and cite.

A lesson's StreamField is walked in order; every heading block starts a section whose anchor id
(``HeadingValue.anchor_id()``) is what a citation links to. Each section's text is packed into
chunks of at most ``MAX_CHUNK_TOKENS`` tokens of the local embedding model (multilingual-e5-small
reads 512; smaller chunks make citations point at the passage that answers), counted with the
model's own tokenizer, with ``OVERLAP_TOKENS`` of trailing sentences repeated at the start of the next
chunk so an idea cut at a boundary is still found. What gets embedded is the heading path
("Course › Lesson › Section") followed by the chunk text, so a chunk carries its context.

Decisions about what is indexed:

* Quizzes are left out entirely. Their options, correctness, feedback and explanations would hand
  out answers, and their prompts add nothing the teaching text does not say better: a learner
  asking about a quiz question should be led to the section that teaches it.
* Teacher notes are indexed as separate chunks with ``visibility=teachers`` (never merged with
  learner text), so retrieval can drop them for students.
* Images contribute their alt text and caption, videos their caption and transcript.
* A course page contributes its intro and learning outcomes ("what is this course about?").
"""

import html
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext

from tutor.indexing.embeddings import local_provider
from tutor.models import Visibility

MAX_CHUNK_TOKENS = 250  # embedded text incl. heading path; well inside the model's 512
TARGET_CHUNK_TOKENS = 200  # pack up to here, so overlap and heading path fit under the maximum
OVERLAP_TOKENS = 40
HEADING_SEPARATOR = " › "

_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class DraftChunk:
    """A chunk before it is embedded: what to store and what to embed."""

    position: int
    anchor: str
    section_title: str
    heading_path: str
    text: str
    visibility: str
    token_count: int

    @property
    def embedding_input(self):
        return embedding_input(self.heading_path, self.text)


def embedding_input(heading_path, text):
    return f"{heading_path}\n\n{text}"


def count_tokens(text):
    """Tokens the local embedding model sees for ``text`` (also the estimate for model usage)."""
    return local_provider().token_count(text)


def html_to_text(markup):
    """Plain text of rich-text HTML, keeping paragraph and list-item breaks."""
    text = html.unescape(strip_tags(_BLOCK_END.sub("\n", markup or "")))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@dataclass
class _Section:
    anchor: str
    title: str
    learner_texts: list
    teacher_texts: list


def chunk_page(page):
    """All chunks of a lesson or course page, in reading order."""
    from lessons.models import CoursePage, LessonPage

    page = page.specific
    if isinstance(page, LessonPage):
        course = page.get_parent().specific
        prefix = [course.title, page.title]
        sections = _lesson_sections(page)
    elif isinstance(page, CoursePage):
        prefix = [page.title]
        sections = _course_sections(page)
    else:
        return []
    drafts = []
    for section in sections:
        path = HEADING_SEPARATOR.join(prefix + ([section.title] if section.title else []))
        for visibility, texts in (
            (Visibility.LEARNERS, section.learner_texts),
            (Visibility.TEACHERS, section.teacher_texts),
        ):
            for text in pack(texts, heading_path=path):
                drafts.append(
                    DraftChunk(
                        position=len(drafts),
                        anchor=section.anchor,
                        section_title=section.title,
                        heading_path=path,
                        text=text,
                        visibility=str(visibility),
                        token_count=count_tokens(embedding_input(path, text)),
                    )
                )
    return drafts


def _lesson_sections(page):
    current = _Section(anchor="", title="", learner_texts=[page.summary] if page.summary else [], teacher_texts=[])
    sections = [current]
    for block in page.body:
        if block.block_type == "heading":
            current = _Section(
                anchor=block.value.anchor_id(), title=block.value["text"], learner_texts=[], teacher_texts=[]
            )
            sections.append(current)
        elif block.block_type == "teacher_note":
            current.teacher_texts.append(html_to_text(block.value["text"].source))
        elif block.block_type == "sources":
            # Its own section, so an answer about a law or a study can cite the sources by their anchor.
            with translation.override(page.locale.language_code):
                title = gettext("Sources")
            current = _Section(
                anchor="sources", title=title, learner_texts=[sources_text(block.value)], teacher_texts=[]
            )
            sections.append(current)
        else:
            text = block_text(block.block_type, block.value)
            if text:
                current.learner_texts.append(text)
    return [section for section in sections if section.learner_texts or section.teacher_texts]


def _course_sections(page):
    intro = [text for text in (page.search_description, html_to_text(page.intro)) if text]
    outcomes = [f"- {block.value}" for block in page.learning_outcomes]
    sections = [_Section(anchor="", title="", learner_texts=intro, teacher_texts=[])]
    if outcomes:
        sections.append(
            _Section(anchor="", title="What you will learn", learner_texts=["\n".join(outcomes)], teacher_texts=[])
        )
    return [section for section in sections if section.learner_texts]


def block_text(block_type, value):
    """The learner-visible text of one body block; quizzes and unknown blocks give nothing."""
    if block_type == "paragraph":
        return html_to_text(value.source)
    if block_type == "callout":
        return _join(value.get("title"), html_to_text(value["text"].source))
    if block_type == "key_term":
        return f"{value['term']}: {value['definition']}"
    if block_type == "example":
        return _join(value["title"], html_to_text(value["text"].source))
    if block_type == "reflection":
        return f"Reflect: {value['prompt']}"
    if block_type == "image":
        return _join(value.get("alt_text"), value.get("caption"))
    if block_type == "video":
        return _join(value.get("caption"), value.get("transcript"))
    return ""


def sources_text(value):
    """One line per source: title, publisher, date and link, as a reader would cite it."""
    return "\n".join(
        ", ".join(part for part in (source["title"], source["publisher"], source["date"], source["url"]) if part)
        for source in value["items"]
    )


def _join(*parts):
    return "\n".join(part.strip() for part in parts if part and part.strip())


def pack(texts, *, heading_path):
    """Pack sentences into chunks under the token limit, repeating a little overlap between them."""
    budget = MAX_CHUNK_TOKENS - count_tokens(embedding_input(heading_path, ""))
    target = min(TARGET_CHUNK_TOKENS, budget)
    sentences = [piece for text in texts for piece in _pieces(text, budget - OVERLAP_TOKENS)]
    chunks, current, current_tokens = [], [], 0
    for sentence, tokens in sentences:
        if current and current_tokens + tokens > target:
            chunks.append(" ".join(s for s, _ in current))
            current = _overlap(current)
            current_tokens = sum(t for _, t in current)
        current.append((sentence, tokens))
        current_tokens += tokens
    if current:
        chunks.append(" ".join(s for s, _ in current))
    return chunks


def _overlap(sentences):
    """The trailing sentences of a chunk, up to OVERLAP_TOKENS, to start the next one with."""
    kept, total = [], 0
    for sentence, tokens in reversed(sentences):
        if total + tokens > OVERLAP_TOKENS:
            break
        kept.insert(0, (sentence, tokens))
        total += tokens
    return kept


def _pieces(text, limit):
    """(sentence, tokens) pairs; a sentence longer than ``limit`` is cut at word boundaries."""
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        tokens = count_tokens(sentence)
        if tokens <= limit:
            yield sentence, tokens
            continue
        words, part = sentence.split(), []
        for word in words:
            if part and count_tokens(" ".join(part + [word])) > limit:
                yield " ".join(part), count_tokens(" ".join(part))
                part = []
            part.append(word)
        if part:
            yield " ".join(part), count_tokens(" ".join(part))
