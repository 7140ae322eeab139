"""Regression tests for what fuzzing found (each fixed where it was), beyond the property tests' examples."""

import pytest


def test_the_allow_header_checks_each_method_with_its_own_arguments(api, clinic):
    """Fuzz finding: GET /wp/v2/comments?post=1,2 was a 500. The Allow header runs the POST endpoint's
    permission check, which read the GET's `post` list as one post id (SQL `wp_id = (1, 2)`)."""
    for query in ("post=764,2839955,104653", "post=1,2&author=1,2&include=3,4", "parent=1,2,3"):
        result = api("GET", f"/wp/v2/comments?{query}", "administrator")
        assert result.status_code == 200, result.text
        assert result.json == []
        assert result.headers["Allow"].startswith("GET")


LISTS = ("/wp/v2/posts", "/wp/v2/pages", "/wp/v2/media", "/wp/v2/categories", "/wp/v2/tags", "/wp/v2/users")


def test_negative_offsets_and_huge_pages_are_an_empty_page_not_a_database_error(api):
    """Fuzz finding: `offset=-8944` (PostgreSQL: OFFSET must not be negative) and
    `page=38127947825546903552` (bigint out of range) were 500s. WP_Query takes absint(offset)."""
    for path in LISTS:
        negative = api("GET", f"{path}?offset=-1", "administrator")
        assert negative.status_code == 200, (path, negative.text)
        if path in ("/wp/v2/posts", "/wp/v2/pages", "/wp/v2/media"):             # WP_Query: absint
            assert negative.json == api("GET", f"{path}?offset=1", "administrator").json
        huge = api("GET", f"{path}?page=38127947825546903552", "administrator")
        assert huge.status_code in (200, 400), (path, huge.text)
        assert huge.json == [] or huge.json["code"].endswith("invalid_page_number")


def test_ordering_by_include_slugs_without_slugs_is_not_a_syntax_error(api):
    """Fuzz finding: `orderby=include_slugs` without `slug` built `CASE ... ELSE` with no WHEN (500)."""
    for path in ("/wp/v2/posts", "/wp/v2/media", "/wp/v2/categories", "/wp/v2/tags"):
        result = api("GET", f"{path}?orderby=include_slugs", "administrator")
        assert result.status_code == 200, (path, result.text)


def test_nul_characters_are_dropped_from_parameters(api, clinic):
    """Fuzz finding: `search=%00x` and JSON strings with \\u0000 were 500s on PostgreSQL (no NUL in text
    or jsonb). They are removed when the request is read."""
    for path in ("/wp/v2/posts", "/wp/v2/tags", "/wp/v2/users", "/wp/v2/media"):
        result = api("GET", f"{path}?search=%00cardio%00", "administrator")
        assert result.status_code == 200, (path, result.text)
    created = api("POST", "/wp/v2/posts", "administrator",
                  json={"title": "A\u0000B", "content": "x\u0000y", "meta": {"k\u0000": "v"}})
    assert created.status_code == 201, created.text
    assert created.json["title"]["raw"] == "AB"


def test_ids_past_the_integer_range_are_not_found(api):
    """Fuzz finding: ids past 2**31 (a prepared statement's integer parameter) and past 2**63 (bigint)
    were database errors (500) on PostgreSQL where WordPress answers 404."""
    for number in (2839955236620, 10**20):
        for path in (f"/wp/v2/posts/{number}", f"/wp/v2/comments?post={number}", f"/wp/v2/posts/{number}/autosaves",
                     f"/wp/v2/pages/{number}/autosaves", f"/wp/v2/posts/{number}/revisions",
                     f"/wp/v2/posts?include={number}", f"/wp/v2/categories/{number}"):
            result = api("GET", path, "administrator")
            assert result.status_code in (200, 400, 404), (path, result.text)


def test_a_negative_comment_offset_is_an_empty_page_not_an_error(api):
    """Fuzz finding: `offset=-5` reached the database on /wp/v2/comments (OFFSET must not be negative)."""
    result = api("GET", "/wp/v2/comments?offset=-5", "administrator")
    assert result.status_code == 200, result.text
