"""Invalid ACF values: WordPress's rest_invalid_param (spec/acf.md §2.3), and nothing is written."""

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import CustomField, Post

from acf.support import caller, make_acf_site
from conftest import make_site


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "valid")


@pytest.fixture
def api(client, site):
    return caller(client, site)


def snapshot(site, post):
    with tenant_scope(site.id):
        rows = sorted((row.meta_key, row.meta_value) for row in CustomField.select().where(CustomField.post == post.id))
        return rows, Post.get_by_id(post.id).title


@pytest.fixture
def article(api, site):
    post = site.posts["article"]
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {
        "citations_count": 15, "author_crm": "CRM/SP 123456", "references": [{"citation": "A"}]}})
    return post


def test_a_value_of_the_wrong_type_is_the_spec_error_and_changes_nothing(api, site, article):
    before = snapshot(site, article)
    result = api("POST", f"/wp/v2/posts/{article.wp_id}", "editor",
                 json={"title": "Changed", "acf": {"citations_count": "many", "evidence_level": "1a"}})
    assert result.status_code == 400
    assert result.json == {"code": "rest_invalid_param", "message": "Invalid parameter(s): acf", "data": {
        "status": 400, "params": {"acf": "acf[citations_count] is not of type number,null."},
        "details": {"acf": {"code": "rest_invalid_type", "message": "acf[citations_count] is not of type number,null.",
                            "data": {"param": "acf[citations_count]"}}}}}
    assert snapshot(site, article) == before


@pytest.mark.parametrize("acf, code, message", [
    ({"evidence_level": "9z"}, "rest_not_in_enum", "acf[evidence_level][0] is not one of 1a, 1b, 2a, 2b, 3, 4, and 5."),
    ({"citations_count": 200000}, "rest_out_of_bounds", "acf[citations_count] must be between 0 (inclusive) and "
                                                        "100000 (inclusive)"),
    ({"summary": "x" * 501}, "rest_too_long", "acf[summary] must be at most 500 characters long."),
    ({"audience": "everyone"}, "rest_not_in_enum", "acf[audience] is not one of patients and professionals."),
    ({"peer_reviewed": "maybe"}, "rest_invalid_type", "acf[peer_reviewed] is not of type boolean,null."),
    ({"reviewer": []}, "rest_too_few_items", "acf[reviewer] must contain at least 1 items."),
    ({"reviewer": [1, 2, 3]}, "rest_too_many_items", "acf[reviewer] must contain at most 2 items."),
    ({"references": "A"}, "rest_invalid_type", "acf[references][0] is not of type object."),   # WP: "A" is ["A"]
    ({"references": 5}, "rest_invalid_type", "acf[references] is not of type array,null."),
    ({"references": [{"doi": "10.1/x"}]}, "rest_property_required",
     "citation is a required property of acf[references][0]."),
    ({"case_study": {"patient_age": 200}}, "rest_out_of_bounds",
     "acf[case_study][patient_age] must be between 0 (inclusive) and 130 (inclusive)"),
])
def test_the_acf_schema_rejects_bad_values(api, site, article, acf, code, message):
    before = snapshot(site, article)
    result = api("POST", f"/wp/v2/posts/{article.wp_id}", "doctor", json={"acf": acf})
    assert result.status_code == 400, result.json
    assert result.json["data"]["params"] == {"acf": message}
    assert result.json["data"]["details"]["acf"]["code"] == code
    assert snapshot(site, article) == before


@pytest.mark.parametrize("acf, message", [
    ({"author_crm": "123456"}, "acf[author_crm] does not match pattern ^CRM/[A-Z]{2} [0-9]{4,6}$."),
    ({"citations_count": 10001}, "acf[citations_count] must be between 0 (inclusive) and 10000 (inclusive)"),
    ({"citations_count": 1.5}, "acf[citations_count] is not of type integer,null."),
    ({"references": [{"citation": "A", "doi": "doi:123"}]},
     "acf[references][0][doi] does not match pattern ^10\\.[0-9]{4,9}/\\S+$."),
])
def test_validation_rules_of_fields_requiring_validation(api, site, article, acf, message):
    before = snapshot(site, article)
    result = api("POST", f"/wp/v2/posts/{article.wp_id}", "doctor", json={"title": "Changed", "acf": acf})
    assert result.status_code == 400 and result.json["code"] == "rest_invalid_param"
    assert result.json["data"]["params"] == {"acf": message}
    assert snapshot(site, article) == before


def test_referenced_ids_must_exist_in_the_tenant(engine, api, site, article):
    other = make_site(engine, "other-tenant")
    with tenant_scope(other.id):                          # a page that exists only in the other tenant
        foreign = Post.create(title="Their reviewer", slug="their-reviewer", status="publish", post_type="page",
                              author=other.author.id, wp_id=4242)
    before = snapshot(site, article)
    missing = api("POST", f"/wp/v2/posts/{article.wp_id}", "doctor", json={"acf": {"reviewer": [foreign.wp_id]}})
    assert missing.status_code == 400
    assert missing.json["data"]["details"]["acf"] == {"code": "rest_post_invalid_id",
                                                      "message": "acf[reviewer] is not a valid post ID.",
                                                      "data": {"param": "acf[reviewer]"}}
    assert snapshot(site, article) == before


def test_format_b_is_not_schema_checked_but_validation_rules_apply(api, site, article):
    loose = api("POST", f"/acf/v3/posts/{article.wp_id}", "doctor", json={"fields": {"audience": "everyone"}})
    assert loose.status_code == 200 and loose.json["acf"]["audience"] == "everyone"
    before = snapshot(site, article)
    strict = api("POST", f"/acf/v3/posts/{article.wp_id}", "doctor",
                 json={"fields": {"author_crm": "nope", "citations_count": 5}})
    assert strict.status_code == 400
    assert strict.json["data"]["params"] == {"fields": "fields[author_crm] does not match pattern "
                                                       "^CRM/[A-Z]{2} [0-9]{4,6}$."}
    assert snapshot(site, article) == before


def test_a_required_field_absent_from_a_partial_update_fails(engine, api, site, article):
    from wpcompat.acf.importer import import_groups
    from acf.support import export

    groups = export()
    groups[0]["fields"][0]["required"] = 1                    # evidence_level becomes required
    with tenant_scope(site.id):
        import_groups(groups)
    before = snapshot(site, article)
    result = api("POST", f"/wp/v2/posts/{article.wp_id}", "doctor", json={"acf": {"citations_count": 3}})
    assert result.status_code == 400
    assert result.json["data"]["details"]["acf"]["code"] == "rest_property_required"
    assert result.json["data"]["params"] == {"acf": "evidence_level is a required property of acf."}
    assert snapshot(site, article) == before
    fine = api("POST", f"/wp/v2/posts/{article.wp_id}", "doctor", json={"title": "No acf at all"})
    assert fine.status_code == 200


def test_acf_that_is_not_an_object_is_invalid(api, site, article):
    result = api("POST", f"/wp/v2/posts/{article.wp_id}", "doctor", json={"acf": "citations_count=3"})
    assert result.status_code == 400 and result.json["data"]["params"] == {"acf": "acf is not of type object."}


def test_acf_values_written_as_xmlrpc_custom_fields_are_filtered_too(client, api, site):
    """wp.editPost's custom_fields reach the same rows as ACF's REST writes: the same kses for authors."""
    from xmlrpc_api.helpers import Rpc

    post, rpc = site.posts["article"], Rpc(client, site.host)
    author = (1, site.users["author"].login, site.passwords["author"])
    assert rpc.call("wp.editPost", *author, post.wp_id, {"custom_fields": [
        {"key": "summary", "value": '<b>Bold</b><img src=x onerror="alert(1)">'},
        {"key": "plain_note", "value": "<i>not an ACF field</i>"}]}) is True
    assert api("GET", f"/wp/v2/posts/{post.wp_id}", "author").json["acf"]["summary"] == "<b>Bold</b>"
    fields = rpc.call("wp.getPost", *author, post.wp_id, ["custom_fields"])["custom_fields"]
    assert {field["key"]: field["value"] for field in fields}["plain_note"] == "<i>not an ACF field</i>"


def test_html_is_filtered_for_writers_without_unfiltered_html(api, site):
    post = site.posts["article"]                          # written by the author, who may edit it
    result = api("POST", f"/wp/v2/posts/{post.wp_id}", "author",
                 json={"acf": {"summary": "<b>Bold</b><script>alert(1)</script>"}})
    assert result.status_code == 200 and result.json["acf"]["summary"] == "<b>Bold</b>alert(1)"
    admin = api("POST", f"/wp/v2/posts/{post.wp_id}", "administrator",
                json={"acf": {"summary": "<b>Bold</b><script>x</script>"}})
    assert admin.json["acf"]["summary"] == "<b>Bold</b><script>x</script>"
