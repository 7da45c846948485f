"""A counting wrapper around the real local embedding model, to prove what gets (re-)embedded."""

from tutor.indexing.embeddings import local_provider


class CountingProvider:
    """Delegates to the real local model and records every text it was asked to embed."""

    def __init__(self, model_name=None, fail_with=None):
        self._real = local_provider()
        self.model_name = model_name or self._real.model_name
        self.dimensions = self._real.dimensions
        self.fail_with = fail_with
        self.embedded = []

    def embed(self, texts):
        if self.fail_with is not None:
            raise self.fail_with
        self.embedded.extend(texts)
        return self._real.embed(texts)

    def embed_query(self, text):
        if self.fail_with is not None:
            raise self.fail_with
        return self._real.embed_query(text)
