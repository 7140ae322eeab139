"""Every corpus file: the theme unit test data, serialized meta, CDATA and UTF-8 edge cases, two tenants."""

import json

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import CustomField, Media, Post, Term
from wpcompat.models.acf import TermCustomField

from wxr_import.support import CORPUS, TESTS, THEME, make_import_site, rest, run, total
from importers.wxr import WxrError

BROKEN = {"crazy-cdata.xml", "malformed.xml", "malformed-simple.xml", "missing-version-tag.xml",
          "invalid-version-tag.xml"}


def meta_of(site, wp_id):
    with tenant_scope(site.id):
        post = Post.get(Post.wp_id == wp_id)
        return {row.meta_key: (json.loads(row.meta_value) if row.meta_type == "json" else row.meta_value)
                for row in CustomField.select().where(CustomField.post == post.id)}


@pytest.mark.parametrize("path", sorted(CORPUS.rglob("*.xml")), ids=lambda path: path.name)
def test_every_corpus_file_imports_or_fails_with_one_line(client, site, path):
    if path.name in BROKEN:
        with pytest.raises(WxrError) as failure:
            run(site, path)
        assert "\n" not in str(failure.value) and path.name in str(failure.value)
        assert total(client, site, "/wp/v2/posts", status="any") == 0
        return
    report = run(site, path)
    assert report.counts["posts"]["failed"] == 0
    assert total(client, site, "/wp/v2/posts", status="any") + total(client, site, "/wp/v2/pages", status="any") \
        == report.counts["posts"]["created"]


def test_theme_unit_test_data(client, site):
    report = run(site, TESTS / "theme-unit-test-data.xml")
    assert total(client, site, "/wp/v2/posts", status="publish") == 56
    assert total(client, site, "/wp/v2/posts", status="draft") == 1
    assert total(client, site, "/wp/v2/posts", status="future") == 1
    assert total(client, site, "/wp/v2/pages", status="any") == 21
    assert total(client, site, "/wp/v2/media") == 37                          # link mode
    assert report.counts["posts"]["skipped"] == 70 + 18 - 0 or report.counts["posts"]["skipped"] >= 70
    # featured images: every _thumbnail_id that names an attachment of the file
    with tenant_scope(site.id):
        featured = {post.wp_id: post.featured_media_id for post in Post.select() if post.featured_media_id}
        media_ids = {media.id: media.wp_id for media in Media.select()}
    assert featured and all(value in media_ids for value in featured.values())
    some_post, media_uuid = next(iter(featured.items()))
    assert rest(client, site, f"/wp/v2/posts/{some_post}").json["featured_media"] == media_ids[media_uuid]
    # a parent that comes later in the file, and attachments attached to their posts
    pages = rest(client, site, "/wp/v2/pages", per_page=100, context="edit", status="any").json
    by_id = {page["id"]: page for page in pages}
    children = [page for page in pages if page["parent"]]
    assert children and all(page["parent"] in by_id for page in children)
    levels = [page for page in children if by_id[page["parent"]]["parent"]]
    assert levels                                                              # grandchildren too
    media = rest(client, site, "/wp/v2/media", per_page=100).json
    assert any(item["post"] for item in media)
    assert all(item["source_url"].startswith("https://wpthemetestdata.files.wordpress.com/") for item in media)
    # percent-encoded Greek slugs, the post without a title, the sticky post
    slugs = {page["slug"] for page in pages}
    assert any(slug.startswith("%ce%") for slug in slugs)
    untitled = rest(client, site, "/wp/v2/posts", slug="edge-case-no-title", context="edit").json[0]
    assert untitled["title"]["raw"] == ""
    assert len(rest(client, site, "/wp/v2/posts", sticky="true").json) == 1
    # hierarchy of categories with levels
    with tenant_scope(site.id):
        deep = Term.select().where(Term.taxonomy == "category", Term.level >= 2).count()
    assert deep > 0


def test_serialized_meta_is_json(client, site):
    run(site, TESTS / "test-serialized-postmeta-no-cdata.xml")
    assert meta_of(site, 122)["post-options"] == {"special_post_title": "A special title", "is_calendar": ""}
    run(site, TESTS / "test-utw-post-meta-import.xml")
    tags = meta_of(site, 150)["test"]
    assert [item["tag"] for item in tags] == ["album", "apple", "art", "artwork", "dead-tracks", "ipod", "itunes",
                                              "javascript", "lyrics", "script", "tracks", "windows-scripting-host",
                                              "wscript"]
    run(site, TESTS / "test-serialized-postmeta-with-cdata.xml")
    values = meta_of(site, 10)
    assert values["contains-html"] == "<pre>some html</pre>"
    assert values["post-options"] == {"special_post_title": "A special title", "is_calendar": ""}
    assert values["evil"] == "<wp:meta_value>evil</wp:meta_value>"
    assert values["string"] == "¯\\_(ツ)_/¯"
    assert values["array"] == {"key": "¯\\_(ツ)_/¯"}
    assert values["array-nested"] == {"key": {"foo": "¯\\_(ツ)_/¯", "bar": "\\o/"}}
    assert values["integer"] == "1"


def test_term_meta_lands_on_the_terms(client, site):
    report = run(site, TESTS / "test-serialized-term-meta.xml")
    assert report.counts["term_meta"]["created"] == 6
    with tenant_scope(site.id):
        term = Term.get(Term.slug == "post_tag", Term.taxonomy == "post_tag")
        values = {row.meta_key: row.meta_value for row in TermCustomField.select().where(TermCustomField.term == term.id)}
    assert values["string"] == "¯\\_(ツ)_/¯" and json.loads(values["array"]) == {"key": "¯\\_(ツ)_/¯"}


def imported_alone(engine, name):
    """(site, its one post): the small parser files share post ids and have no guids, so one site each."""
    site = make_import_site(engine, name[:10])
    run(site, TESTS / name)
    with tenant_scope(site.id):
        return site, Post.get()


def test_cdata_utf8_and_blank_lines_survive_byte_for_byte(client, engine):
    site, cdata = imported_alone(engine, "crazy-cdata-escaped.xml")
    assert cdata.content == "Content with nested <![CDATA[ tags ]]> :)"
    values = meta_of(site, cdata.wp_id)
    assert values["Plain string"] == "Foo" and values["Closing CDATA"] == "]]>"
    assert values["Alot of CDATA"] == "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>"
    site, utf8 = imported_alone(engine, "wxr-utf-8-challenges.xml")
    assert utf8.title == '"The Road \u202eNot\u202c Taken" by Rob\u202dert \u202eFrost \u202a\U0001f332\u202c'
    assert utf8.slug == "hello-w\u202eorld\u202c-utf8-\U0001f4ab-test"
    assert "\u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645 \u0648\ufdf2" in utf8.content
    special = meta_of(site, utf8.wp_id)["_special_chars"]
    assert special == "&#x202E;&#x202D;&#x200B;&#x200C;&#x200D;&#x2060;&#xFEFF;&#xFFFD;"
    assert imported_alone(engine, "post-content-blank-lines.xml")[1].content.count("\n") == 3
    assert "C:\\xampp\\htdocs" in imported_alone(engine, "backslashes.xml")[1].content


def test_namespaces_are_matched_by_uri(client, site):
    run(site, TESTS / "namespace-edge-cases.xml")
    with tenant_scope(site.id):
        titles = {post.title: post.wp_id for post in Post.select()}
        keys = {row.meta_key for row in CustomField.select()}
    assert titles["Mixed Namespaces"] == 999 and titles["No Prefix"] == 2
    assert "Hijacked Namespace" not in titles                                 # no post_type under the real URI
    assert "normal_key" in keys and "malicious_key" not in keys


def test_same_file_in_two_tenants_gives_two_independent_sites(client, engine):
    first, second = make_import_site(engine, "one"), make_import_site(engine, "two")
    run(first, TESTS / "small-export.xml")
    run(second, TESTS / "small-export.xml")
    for site in (first, second):
        assert total(client, site, "/wp/v2/posts", status="any") == 6
        assert rest(client, site, "/wp/v2/posts/22").json["title"]["rendered"] == "Many Categories"
    with tenant_scope(first.id):
        one = Post.get(Post.wp_id == 22)
    with tenant_scope(second.id):
        two = Post.get(Post.wp_id == 22)
        assert Post.select().where(Post.id == one.id).count() == 0            # the other tenant's row is not here
    assert one.id != two.id


E2E = TESTS / "e2e-fixtures"


def test_links_to_the_old_site_are_rewritten_to_the_tenant(client, site):
    run(site, E2E / "wxr-simple.xml")
    content = rest(client, site, "/wp/v2/posts/10", context="edit").json["content"]["raw"]
    assert "https://playground.internal/path/" not in content and "http://example.org/one" in content
    assert "https://playground.internal/path-not-taken" in content and "https://w.org" in content


def test_rewriting_can_be_switched_off(client, site):
    run(site, E2E / "wxr-simple.xml", rewrite_urls=False)
    content = rest(client, site, "/wp/v2/posts/10", context="edit").json["content"]["raw"]
    assert "https://playground.internal/path/one" in content and "http://example.org" not in content


def test_comprehensive_fixture(client, site):
    run(site, E2E / "wxr-comprehensive.xml")
    post = rest(client, site, "/wp/v2/posts", slug="comprehensive-post", context="edit").json[0]
    assert post["status"] == "publish" and post["date"].startswith("2024-06-05")
    categories = {rest(client, site, f"/wp/v2/categories/{term}").json["slug"] for term in post["categories"]}
    assert categories == {"news", "updates"}
    updates = rest(client, site, "/wp/v2/categories", slug="updates").json[0]
    assert updates["parent"] == rest(client, site, "/wp/v2/categories", slug="news").json[0]["id"]
    tags = {rest(client, site, f"/wp/v2/tags/{term}").json["slug"] for term in post["tags"]}
    assert tags == {"t1", "t2"}
    assert rest(client, site, f"/wp/v2/users/{post['author']}", context="edit").json["username"] == "alice"
    comments = rest(client, site, "/wp/v2/comments", post=post["id"], context="edit").json
    assert [comment["content"]["raw"] for comment in comments] == ["Great post!"]
    assert rest(client, site, "/wp/v2/pages", slug="comprehensive-page").json
