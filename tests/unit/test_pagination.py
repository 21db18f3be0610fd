"""Paginated lists: how many pages, what each holds, and the URLs that link them."""

from __future__ import annotations

import pytest

from sitegen.model.pagination import Pager, page_url_path, paginate


@pytest.mark.parametrize("count, per_page, sizes", [
    (0, 2, [0]),             # an empty list still has its first page
    (1, 2, [1]),
    (2, 2, [2]),             # exactly one page: no empty page 2
    (3, 2, [2, 1]),
    (4, 2, [2, 2]),
    (5, 2, [2, 2, 1]),
    (6, 3, [3, 3]),
    (7, 3, [3, 3, 1]),
    (3, 1, [1, 1, 1]),
    (19, 20, [19]),
    (20, 20, [20]),
    (21, 20, [20, 1]),
    (41, 20, [20, 20, 1]),
])
def test_a_list_is_cut_into_full_pages_and_one_last_page(count, per_page, sizes):
    items = [f"item-{n}" for n in range(count)]
    pages = paginate(items, per_page, "")
    assert [len(entries) for _, entries in pages] == sizes
    assert [pager.number for pager, _ in pages] == list(range(1, len(sizes) + 1))
    assert {pager.total for pager, _ in pages} == {len(sizes)}
    assert [item for _, entries in pages for item in entries] == items


@pytest.mark.parametrize("first, number, url_path", [
    ("", 1, ""),
    ("", 2, "page/2/"),
    ("", 10, "page/10/"),
    ("tags/c-plus-plus/", 1, "tags/c-plus-plus/"),
    ("tags/c-plus-plus/", 2, "tags/c-plus-plus/page/2/"),
    ("tags/ukraina-2/", 3, "tags/ukraina-2/page/3/"),
])
def test_page_one_is_the_list_itself_and_later_pages_are_under_page(first, number, url_path):
    assert page_url_path(first, number) == url_path


def test_pages_link_to_their_neighbours():
    pages = paginate(list(range(5)), 2, "tags/politics/")
    assert [pager for pager, _ in pages] == [
        Pager(1, 3, "tags/politics/", None, "tags/politics/page/2/"),
        Pager(2, 3, "tags/politics/page/2/", "tags/politics/", "tags/politics/page/3/"),
        Pager(3, 3, "tags/politics/page/3/", "tags/politics/page/2/", None),
    ]


@pytest.mark.parametrize("count", [0, 1, 2])
def test_a_single_page_links_nowhere(count):
    [(pager, entries)] = paginate(list(range(count)), 2, "")
    assert pager == Pager(1, 1, "", None, None)
    assert list(entries) == list(range(count))


def test_items_keep_their_order_across_pages():
    pages = paginate(("newest", "newer", "older", "oldest"), 3, "")
    assert [tuple(entries) for _, entries in pages] == [("newest", "newer", "older"), ("oldest",)]


@pytest.mark.parametrize("count, per_page", [(n, p) for n in range(0, 12) for p in (1, 2, 3, 5)])
def test_no_page_but_the_first_of_an_empty_list_is_empty(count, per_page):
    pages = paginate(list(range(count)), per_page, "")
    assert all(entries for _, entries in pages) or (count == 0 and len(pages) == 1)
    assert len({pager.url_path for pager, _ in pages}) == len(pages)
