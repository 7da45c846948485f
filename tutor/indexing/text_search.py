"""Which PostgreSQL text-search configuration reads which language.

Full-text search stems words by language ("õppimine" → "õppi", "обучения" → "обучен"), so each
chunk's ``search_vector`` is built with its page's language and a question is parsed with the
learner's. Languages PostgreSQL has no stemmer for (Kazakh, say), or a server older than the
configuration, fall back to ``simple`` (lower-cased words, no stemming).
"""

from functools import cache

from django.db import connection

CONFIGS = {"en": "english", "et": "estonian", "ru": "russian"}


@cache
def available_configs():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        return frozenset(row[0] for row in cursor.fetchall())


def config_for(language_code):
    config = CONFIGS.get((language_code or "").split("-")[0], "simple")
    return config if config in available_configs() else "simple"
