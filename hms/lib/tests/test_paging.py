"""CappedPaginator: exact counts on short lists, "1,000+" and a Next link on long ones, and the
count query bounded by the cap."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from hms.lib.paging import CappedPaginator, paginate


def test_a_short_list_is_counted_exactly():
    page = paginate(list(range(60)), 25, "2")
    assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (60, False, 3)
    assert page.has_next()


def test_a_long_list_counts_up_to_the_cap_and_keeps_a_next_link():
    page = paginate(list(range(5000)), 25, "1", cap=100)
    assert (page.paginator.count, page.paginator.capped) == (100, True)
    assert page.has_next()
    last_counted = paginate(list(range(5000)), 25, "4", cap=100)
    assert last_counted.has_next()  # page 5 exists: the count always reaches one page further
    far = paginate(list(range(5000)), 25, "150", cap=100)
    assert far.number == 150 and far.has_next() and far[0] == 149 * 25


@pytest.mark.parametrize("number", ["", "abc", "-3", "0", None, "999999"])
def test_odd_page_numbers_give_a_page(number):
    page = paginate(list(range(40)), 25, number)
    assert page.number in (1, 2)


def test_the_count_query_reads_at_most_the_cap(db):
    Group.objects.bulk_create(Group(name=f"group {i}") for i in range(8))
    paginator = CappedPaginator(Group.objects.order_by("pk"), 1, cap=2)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(1)
    assert paginator.capped and paginator.count == 2 and page.has_next()
    assert "LIMIT 3" in queries[0]["sql"]  # (page + 1) * per_page, plus one to know there is more


def test_the_pagination_bar_says_plus_when_capped():
    request = RequestFactory().get("/x", {"page": "1"})
    html = render_to_string(
        "includes/pagination.html",
        {"page": paginate(list(range(5000)), 25, "1", cap=100)},
        request=request,
    )
    assert "1–25 of 100+" in html and "Next" in html and "/ 4" not in html
    html = render_to_string(
        "includes/pagination.html", {"page": paginate(list(range(60)), 25, "1")}, request=request
    )
    assert "1–25 of 60" in html and "1 / 3" in html
