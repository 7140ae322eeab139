"""small-export.xml (importer-expectations.md §2.1–2.3): what the REST API answers after the import."""

from wpcompat.db import tenant_scope
from wpcompat.models import AuditTrail, CustomField, Post, Term, User

from wxr_import.support import TESTS, rest, run, total


def by_id(client, site, kind, wp_id, **params):
    result = rest(client, site, f"/wp/v2/{kind}/{wp_id}", context="edit", **params)
    assert result.status_code == 200, result.json
    return result.json


def term_slugs(client, site, taxonomy, ids):
    return [rest(client, site, f"/wp/v2/{taxonomy}/{term_id}").json["slug"] for term_id in ids]


def test_small_export_lands_as_wordpress_would(client, site):
    report = run(site, TESTS / "small-export.xml")
    assert report.counts["posts"]["created"] == 11 and report.counts["users"]["created"] == 3

    assert total(client, site, "/wp/v2/categories") == 30
    assert total(client, site, "/wp/v2/tags") == 3
    assert total(client, site, "/wp/v2/posts", status="publish") == 5
    assert total(client, site, "/wp/v2/posts", status="private") == 1
    assert total(client, site, "/wp/v2/pages", status="publish") == 4
    assert total(client, site, "/wp/v2/pages", status="draft") == 1
    assert total(client, site, "/wp/v2/users", context="edit") == 4           # the administrator + 3 authors
    with tenant_scope(site.id):
        emails = {user.login: user.email for user in User.select()}
    assert emails["admin"] == "local@host.null" and emails["editor"] == "editor@example.org"
    assert emails["author"] == "author@example.org"

    # original ids kept
    many = by_id(client, site, "posts", 22)
    assert many["title"]["raw"] == "Many Categories" and many["slug"] == "many-categories"
    assert len(many["categories"]) == 27
    assert by_id(client, site, "posts", 19)["format"] == "aside"
    foo_child = by_id(client, site, "posts", 15)
    assert term_slugs(client, site, "categories", foo_child["categories"]) == ["foo-bar"]
    editor = rest(client, site, f"/wp/v2/users/{foo_child['author']}", context="edit").json
    assert editor["username"] == "editor"
    assert term_slugs(client, site, "categories", by_id(client, site, "posts", 17)["categories"]) == ["foo"]
    private = by_id(client, site, "posts", 13)
    assert private["status"] == "private"
    assert term_slugs(client, site, "tags", private["tags"]) == ["tag1", "tag2", "tag3"]
    hello = by_id(client, site, "posts", 1)
    assert rest(client, site, f"/wp/v2/users/{hello['author']}", context="edit").json["username"] == "author"

    # pages: hierarchy back-filled (4 comes before its parent 6), templates, the empty draft slug
    child = by_id(client, site, "pages", 4)
    assert child["parent"] == 6 and by_id(client, site, "pages", 6)["parent"] == 0
    assert by_id(client, site, "pages", 11)["template"] == "onecolumn-page.php"
    assert by_id(client, site, "pages", 9)["slug"] == "" and by_id(client, site, "pages", 9)["status"] == "draft"

    # the two "Foo" categories: foo top level, foo-bar under bar
    foo = rest(client, site, "/wp/v2/categories", slug="foo").json[0]
    foo_bar = rest(client, site, "/wp/v2/categories", slug="foo-bar").json[0]
    bar = rest(client, site, "/wp/v2/categories", slug="bar").json[0]
    assert foo["parent"] == 0 and foo_bar["parent"] == bar["id"] and foo["name"] == foo_bar["name"] == "Foo"
    with tenant_scope(site.id):
        template = CustomField.get(CustomField.meta_key == "_wp_page_template",
                                   CustomField.post == Post.get(Post.wp_id == 11).id)
        assert template.meta_value == "onecolumn-page.php"
        assert Term.get(Term.slug == "foo-bar").level == Term.get(Term.slug == "bar").level + 1


def test_importing_twice_changes_nothing(client, site, engine):
    first = run(site, TESTS / "small-export.xml")
    with tenant_scope(site.id):
        before = {model.__name__: model.select().count() for model in (Post, Term, User, CustomField, AuditTrail)}
        contents = {post.wp_id: (post.content, post.parent_id, post.slug) for post in Post.select()}
    second = run(site, TESTS / "small-export.xml")
    assert first.counts["posts"]["created"] == 11
    assert all(second.counts[kind]["created"] == 0 for kind in second.counts)
    assert second.counts["posts"]["skipped"] == 11
    with tenant_scope(site.id):
        after = {model.__name__: model.select().count() for model in (Post, Term, User, CustomField, AuditTrail)}
        assert {post.wp_id: (post.content, post.parent_id, post.slug) for post in Post.select()} == contents
    assert after == before
    assert total(client, site, "/wp/v2/categories") == 30


def test_every_created_row_has_its_audit_row(client, site):
    report = run(site, TESTS / "small-export.xml")
    with tenant_scope(site.id):
        rows = list(AuditTrail.select().where(AuditTrail.operation == "create"))
        post_ids = {str(post.id) for post in Post.select()}
    imported = [row for row in rows if row.metadata.get("source_file") == "small-export.xml"]
    assert len(imported) == sum(report.counts[kind]["created"] for kind in ("posts", "users", "terms", "comments"))
    assert {str(row.resource_id) for row in imported if row.resource_type == "post"} == post_ids
    assert {row.metadata["source_id"] for row in imported if row.resource_type == "post"} >= {1, 22}


def test_slashes_are_kept(client, site):
    run(site, TESTS / "slashes.xml")
    assert rest(client, site, "/wp/v2/categories", slug="alpha").json[0]["name"] == 'a \\"great\\" category'
    assert rest(client, site, "/wp/v2/tags", slug="tag1").json[0]["name"] == "foo\\'bar"
    posts = rest(client, site, "/wp/v2/posts", context="edit", status="any").json
    assert posts[0]["content"]["raw"] == 'Slashes aren\\\'t \\"cool\\"'


def test_authors_can_be_assigned_or_mapped(client, site, engine, tmp_path):
    import pytest

    from wxr_import.support import make_import_site
    from importers.wxr import WxrError

    other = make_import_site(engine, "assign")

    with pytest.raises(WxrError, match="no user 'nobody'"):
        run(site, TESTS / "small-export.xml", authors="assign:nobody")
    mapping = tmp_path / "authors.csv"
    mapping.write_text("editor,boss\n", encoding="utf-8")
    report = run(site, TESTS / "small-export.xml", authors=str(mapping))
    assert report.counts["users"]["created"] == 2                               # admin and author; editor → boss
    assert rest(client, site, f"/wp/v2/users/{by_id(client, site, 'posts', 15)['author']}",
                context="edit").json["username"] == "boss"
    run(other, TESTS / "small-export.xml", authors="assign:boss")
    assert {post["author"] for post in rest(client, other, "/wp/v2/posts", status="any", context="edit").json} \
        == {other.admin.wp_id}
    with tenant_scope(other.id):
        assert User.select().count() == 1

