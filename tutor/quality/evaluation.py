"""Retrieval quality on hand-written questions: recall@k and MRR per retrieval mode.

An eval file is JSON lines ``{"question": ..., "locale": "et", "expected": ["/courses/c/lesson/#section", ...]}``
(``locale``, the language the learner writes in, is optional). Expected URLs carry no language
prefix: a retrieved chunk matches an expected URL with an ``#anchor`` when its URL without the
language prefix is exactly that (translations keep their source's anchors), and one without an
anchor when it comes from that page in any language. Per question, recall@k is the share of expected
URLs matched in the top k and the reciprocal rank is 1/rank of the first match (0 if none);
both are averaged over the questions. Questions are asked as an anonymous learner using the
question's language would (English when the line names none); with ``in_course`` from the course
of the question's first expected section, as on one of its pages (the course boost applies).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from lessons.models import CoursePage
from tutor.retrieval import MODES, retrieve


@dataclass(frozen=True)
class Question:
    source: str
    question: str
    expected: tuple
    locale: str = ""


@dataclass(frozen=True)
class Score:
    mode: str
    questions: int
    recall: float
    mrr: float


def load_questions(paths):
    """Questions from files and directories (every ``*.jsonl`` inside), in a stable order."""
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    questions = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                questions.append(
                    Question(f"{file.name}:{number}", item["question"], tuple(item["expected"]), item.get("locale", ""))
                )
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{file}:{number}: not a question line ({error})") from error
    return questions


def without_language(url):
    """``/et/courses/x/`` → ``/courses/x/``: eval sets name sections, not their translations."""
    prefix, _, rest = url.lstrip("/").partition("/")
    return f"/{rest}" if prefix in dict(settings.LANGUAGES) else url


def matches(url, expected):
    url = without_language(url)
    if "#" in expected:
        return url == expected
    return url.split("#", 1)[0] == expected


def score_question(urls, expected):
    """(recall, reciprocal rank) of one ranked URL list against the expected URLs."""
    found = sum(any(matches(url, target) for url in urls) for target in expected)
    first = next((rank for rank, url in enumerate(urls, 1) if any(matches(url, t) for t in expected)), None)
    return found / len(expected), (1.0 / first if first else 0.0)


def course_of(url, language):
    """The course page an expected URL belongs to, in ``language`` where translated (else the original)."""
    course_slug = without_language(url).strip("/").split("/")[1]
    courses = CoursePage.objects.live().filter(slug=course_slug)
    return courses.filter(locale__language_code=language).first() or courses.order_by("pk").first()


def evaluate(questions, *, k=5, modes=MODES, in_course=False):
    """Scores per mode; ``in_course`` asks each question from its course, as a learner on its pages does."""
    user = AnonymousUser()
    scores = []
    for mode in modes:
        recalls, reciprocal_ranks = [], []
        for question in questions:
            language = question.locale or "en"
            course = course_of(question.expected[0], language) if in_course else None
            chunks = retrieve(question.question, user=user, limit=k, mode=mode, language=language, course=course)
            urls = [chunk.url for chunk in chunks]
            recall, reciprocal_rank = score_question(urls, question.expected)
            recalls.append(recall)
            reciprocal_ranks.append(reciprocal_rank)
        count = len(questions) or 1
        scores.append(Score(mode, len(questions), sum(recalls) / count, sum(reciprocal_ranks) / count))
    return scores
