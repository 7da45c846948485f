"""Limit/offset pagination for every list: ``?limit=50&offset=0`` → ``{"items": [...], "count": N}``.

Lists are in a stable order (for syncable ones: oldest change first, then id), so a client pages
through by raising ``offset`` by ``limit`` until it passes ``count``.
"""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 200
# PostgreSQL's OFFSET is a bigint; far below it, and far beyond any real list.
MAX_OFFSET = 10**9


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"How many items to return (at most {MAX_LIMIT}).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")

    class Output(Schema):
        items: list
        count: int = Field(description="How many items the whole list has.")

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
