"""Pagination of big lists without counting every row.

Django's Paginator counts the whole list (`SELECT COUNT(*)`) to draw "1–25 of N" and the page
numbers; over the hospital's appointments or access log that count reads every matching row on
every page view, while nobody pages past the first few. `CappedPaginator` counts at most `cap`
rows beyond the page asked for (`SELECT COUNT(*) FROM (... LIMIT n)`): the count is exact up to
there, and above it the page says "1,000+" (`paginator.capped`) and keeps a Next link.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

CAP = 1000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = CAP, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    def get_page(self, number):
        try:
            wanted = max(int(number), 1)
        except (TypeError, ValueError):
            wanted = 1
        # Always know whether the page after the one asked for exists.
        self.cap = max(self.cap, (wanted + 1) * self.per_page)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "query"):
            # Count primary keys only: the columns and annotations the page shows (subqueries
            # per row) would be computed for every counted row otherwise.
            counted = rows.values("pk")[: self.cap + 1].count()
        else:
            counted = len(rows[: self.cap + 1])
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate(rows, per_page: int, number, *, cap: int = CAP):
    """The page `number` (a query parameter: anything invalid is page 1 or the last page)."""
    return CappedPaginator(rows, per_page, cap=cap).get_page(number)
