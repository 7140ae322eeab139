"""Every ACF field type written and read back through both formats, and what it stores in custom_fields."""

import json

import pytest

from wpcompat.db import tenant_scope
from wpcompat.models import CustomField

from acf.support import caller, make_acf_site


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "types")


@pytest.fixture
def api(client, site):
    return caller(client, site)


def cases(site):
    """{field: (Format A input, light value, standard value)} for every type of the medical group."""
    post, page, other = site.posts["other"], site.posts["reviewer_page"], site.posts["second_reviewer"]
    xray, pdf, term, author = site.media["xray"], site.media["protocol"], site.terms["cardiology"], \
        site.users["author"]
    return {
        "evidence_level": ("1a", "1a", "1a"),                                           # select
        "peer_reviewed": (True, True, True),                                            # true_false
        "citations_count": ("15", 15, "15"),                                            # number
        "author_crm": ("CRM/SP 123456", "CRM/SP 123456", "CRM/SP 123456"),              # text
        "review_date": ("20250131", "20250131", "31/01/2025"),                          # date_picker
        "next_review_at": ("2026-01-31 10:00:00", "2026-01-31 10:00:00", "2026-01-31 10:00"),   # date_time
        "summary": ("Line one\nLine two", "Line one\nLine two", "Line one\nLine two"),   # textarea
        "source_url": ("https://example.org/g", "https://example.org/g", "https://example.org/g"),   # url
        "contact_email": ("care@clinic.test", "care@clinic.test", "care@clinic.test"),  # email
        "risk_score": (3.5, 3.5, "3.5"),                                                # range
        "audience": ("professionals", "professionals", "Health professionals"),         # radio (label)
        "specialties": (["cardiology", "oncology"], ["cardiology", "oncology"],         # checkbox (array)
                        [{"value": "cardiology", "label": "Cardiology"}, {"value": "oncology", "label": "Oncology"}]),
        "hero_image": (xray.wp_id, xray.wp_id, "object:media"),                         # image (array)
        "protocol_pdf": (pdf.wp_id, pdf.wp_id, "url:protocol.pdf"),                     # file (url)
        "reviewer": ([other.wp_id, page.wp_id], [other.wp_id, page.wp_id], "objects:posts"),   # relationship
        "main_guideline": (post.wp_id, post.wp_id, post.wp_id),                         # post_object (id)
        "primary_author": (author.wp_id, author.wp_id, "object:user"),                  # user (array)
        "topics": ([term.wp_id], [term.wp_id], "objects:terms"),                        # taxonomy (object)
        "references": ([{"citation": "Smith 2020", "doi": "10.1000/xyz", "year": 2020}, {"citation": "Doe"}],
                       [{"citation": "Smith 2020", "doi": "10.1000/xyz", "year": 2020},
                        {"citation": "Doe", "doi": "", "year": ""}],
                       [{"citation": "Smith 2020", "doi": "10.1000/xyz", "year": "2020"},
                        {"citation": "Doe", "doi": "", "year": ""}]),                   # repeater
        "case_study": ({"patient_age": 54, "presentation": "Chest pain", "outcome": "recovered"},
                       {"patient_age": 54, "presentation": "Chest pain", "outcome": "recovered"},
                       {"patient_age": "54", "presentation": "Chest pain", "outcome": "Recovered"}),   # group
    }


def check_standard(site, name, expected, actual):
    if expected == "object:media":
        media = site.media["xray"]
        assert actual["ID"] == actual["id"] == media.wp_id and actual["mime_type"] == "image/jpeg"
        assert actual["type"] == "image" and actual["subtype"] == "jpeg" and actual["width"] == 1200
        assert actual["sizes"]["thumbnail-width"] == 150 and actual["link"].endswith(f"?attachment_id={media.wp_id}")
    elif expected == "url:protocol.pdf":
        assert actual.startswith("http://") and actual.endswith("/protocol.pdf")
    elif expected == "objects:posts":
        assert [item["ID"] for item in actual] == [site.posts["second_reviewer"].wp_id,
                                                    site.posts["reviewer_page"].wp_id]
        assert actual[0]["post_type"] == "page" and actual[0]["post_title"] == "Dr. Bruno Reviewer"
        assert actual[0]["filter"] == "raw" and isinstance(actual[0]["post_author"], str)
    elif expected == "object:user":
        assert actual["ID"] == site.users["author"].wp_id and actual["display_name"] == "Author"
        assert actual["user_email"] == ""           # only who may list users sees e-mails
    elif expected == "objects:terms":
        assert actual == [{"term_id": site.terms["cardiology"].wp_id, "name": "Cardiology", "slug": "cardiology",
                           "term_group": 0, "term_taxonomy_id": site.terms["cardiology"].wp_id,
                           "taxonomy": "category", "description": "", "parent": 0, "count": 0, "filter": "raw"}]
    else:
        assert actual == expected, name


def test_every_type_round_trips_through_the_acf_field_of_wp_v2(api, site):
    post, table = site.posts["article"], cases(site)
    written = api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor",
                  json={"acf": {name: value for name, (value, _light, _std) in table.items()}})
    assert written.status_code == 200, written.json
    assert written.json["acf"] == {**written.json["acf"], **{name: light for name, (_v, light, _s) in table.items()}}
    light = api("GET", f"/wp/v2/posts/{post.wp_id}", "doctor").json["acf"]
    standard = api("GET", f"/wp/v2/posts/{post.wp_id}", "doctor", params={"acf_format": "standard"}).json["acf"]
    plugin = api("GET", f"/acf/v3/posts/{post.wp_id}", "doctor").json["acf"]
    for name, (_value, expected_light, expected_standard) in table.items():
        assert light[name] == expected_light, name
        check_standard(site, name, expected_standard, standard[name])
        assert plugin[name] == standard[name], name
    assert list(light) == [name for name in light if name != "clinical_tab"]          # tab never appears
    assert list(light)[:3] == ["evidence_level", "peer_reviewed", "citations_count"]  # group order


def test_every_type_round_trips_through_the_plugin_routes(api, site):
    post = site.posts["article"]
    fields = {"evidence_level": "2b", "peer_reviewed": "1", "citations_count": "1,234", "author_crm": "CRM/RJ 4321",
              "review_date": "20241224", "risk_score": "7", "audience": "patients", "specialties": ["pediatrics"],
              "hero_image": str(site.media["xray"].wp_id), "reviewer": [str(site.posts["reviewer_page"].wp_id)],
              "topics": str(site.terms["cardiology"].wp_id),
              "references": {"0": {"citation": "Roe 2019", "year": "2019"}},
              "case_study": {"outcome": "improved"}, "not_a_field": "ignored"}
    written = api("POST", f"/acf/v3/posts/{post.wp_id}", "doctor", json={"fields": fields})
    assert written.status_code == 200, written.json
    plugin = written.json["acf"]
    assert plugin["citations_count"] == "1234" and plugin["peer_reviewed"] is True
    assert plugin["review_date"] == "24/12/2024" and plugin["audience"] == "Patients"
    assert plugin["specialties"] == [{"value": "pediatrics", "label": "Pediatrics"}]
    assert plugin["hero_image"]["ID"] == site.media["xray"].wp_id
    assert [item["ID"] for item in plugin["reviewer"]] == [site.posts["reviewer_page"].wp_id]
    assert plugin["references"] == [{"citation": "Roe 2019", "doi": "", "year": "2019"}]
    assert plugin["case_study"] == {"patient_age": "", "presentation": "", "outcome": "Improved"}
    assert "not_a_field" not in plugin
    light = api("GET", f"/wp/v2/posts/{post.wp_id}", "doctor").json["acf"]
    assert light["citations_count"] == 1234 and light["risk_score"] == 7 and light["evidence_level"] == "2b"
    assert light["topics"] == [site.terms["cardiology"].wp_id]
    assert light["references"] == [{"citation": "Roe 2019", "doi": "", "year": 2019}]


def rows_of(site, post):
    with tenant_scope(site.id):
        return {row.meta_key: row for row in CustomField.select().where(CustomField.post == post.id)}


def test_values_are_stored_one_row_per_key_in_canonical_text(api, site):
    post, table = site.posts["article"], cases(site)
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor",
        json={"acf": {name: value for name, (value, _light, _std) in table.items()}})
    rows = rows_of(site, post)
    stored = {key: row.meta_value for key, row in rows.items()}
    assert stored["citations_count"] == "15" and stored["peer_reviewed"] == "1" and stored["risk_score"] == "3.5"
    assert stored["specialties"] == '["cardiology","oncology"]'
    assert stored["reviewer"] == f'[{site.posts["second_reviewer"].wp_id},{site.posts["reviewer_page"].wp_id}]'
    assert stored["hero_image"] == str(site.media["xray"].wp_id) and stored["review_date"] == "20250131"
    assert stored["references"] == "2" and stored["references_0_citation"] == "Smith 2020"
    assert stored["references_1_citation"] == "Doe" and "references_1_doi" not in stored
    assert stored["case_study"] == "" and stored["case_study_patient_age"] == "54"
    citations = rows["citations_count"]
    assert (citations.meta_type, citations.field_group, citations.field_order) == \
        ("number", "group_clinical_evidence", 2)
    assert citations.requires_validation and not citations.is_phi
    assert json.loads(citations.validation_rules)["key"] == "field_65ab0003"
    assert rows["case_study_outcome"].is_phi and rows["case_study"].medical_significance == "critical"
    assert rows["references_0_year"].meta_type == "number" and rows["references_0_year"].field_order == 18


def test_unset_fields_read_as_their_defaults(api, site):
    light = api("GET", f"/wp/v2/posts/{site.posts['article'].wp_id}").json["acf"]
    assert light["peer_reviewed"] is False and light["risk_score"] == 0 and light["audience"] == "patients"
    assert light["evidence_level"] is None and light["reviewer"] is None and light["references"] is None
    assert light["summary"] == "" and light["citations_count"] == ""
    plugin = api("GET", f"/acf/v3/posts/{site.posts['article'].wp_id}").json["acf"]
    assert plugin["references"] is False and plugin["audience"] == "Patients" and plugin["risk_score"] == "0"
    assert plugin["hero_image"] is False and plugin["reviewer"] is False and plugin["review_date"] is None


def test_field_keys_are_accepted_and_a_partial_update_changes_only_what_is_sent(api, site):
    post = site.posts["article"]
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {
        "citations_count": 15, "references": [{"citation": "A"}, {"citation": "B"}, {"citation": "C"}],
        "case_study": {"patient_age": 40, "presentation": "Cough"}}})
    result = api("PUT", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {
        "field_65ab0019": [{"field_65ab0020": "Only"}], "case_study": {"field_65ab0024": 41},
        "_acf_field_key_map": {}, "unknown": 1}})
    assert result.status_code == 200, result.json
    acf = result.json["acf"]
    assert acf["citations_count"] == 15
    assert acf["references"] == [{"citation": "Only", "doi": "", "year": ""}]
    assert acf["case_study"] == {"patient_age": 41, "presentation": "Cough", "outcome": None}
    rows = rows_of(site, post)
    assert not [key for key in rows if key.startswith(("references_1_", "references_2_"))]
    assert rows["references"].meta_value == "1"


def test_null_deletes_a_value_and_its_rows(api, site):
    post = site.posts["article"]
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {
        "citations_count": 15, "references": [{"citation": "A", "year": 2001}]}})
    result = api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor",
                 json={"acf": {"citations_count": None, "references": None}})
    assert result.json["acf"]["citations_count"] == "" and result.json["acf"]["references"] is None
    assert not [key for key in rows_of(site, post) if key.startswith(("references", "citations"))]


def test_acf_on_create_pages_terms_and_users(api, site):
    created = api("POST", "/wp/v2/pages", "editor", json={"title": "Guideline page", "status": "publish",
                                                           "acf": {"evidence_level": "3", "peer_reviewed": True}})
    assert created.status_code == 201 and created.json["acf"]["evidence_level"] == "3"
    term = api("POST", "/wp/v2/categories", "administrator",
               json={"name": "Oncology", "acf": {"specialty_code": "ONC", "board_certified_only": True}})
    assert term.status_code == 201 and term.json["acf"] == {"specialty_code": "ONC", "board_certified_only": True}
    tag = api("GET", f"/wp/v2/tags/{site.terms['vaccines'].wp_id}")
    assert tag.json["acf"] == []                         # no group's location matches tags
    user = api("POST", f"/wp/v2/users/{site.users['author'].wp_id}", "administrator",
               json={"acf": {"crm_number": "CRM/SP 777777"}})
    assert user.status_code == 200 and user.json["acf"]["crm_number"] == "CRM/SP 777777"
    new_user = api("POST", "/wp/v2/users", "administrator", json={
        "username": "newdoc", "email": "newdoc@clinic.test", "password": "s3cret!",
        "acf": {"crm_number": "CRM/MG 1234"}})
    assert new_user.status_code == 201 and new_user.json["acf"]["crm_number"] == "CRM/MG 1234"
    media = api("GET", f"/wp/v2/media/{site.media['xray'].wp_id}", params={"acf_format": "standard"})
    assert media.json["acf"] == {"modality": None}
    assert api("GET", f"/wp/v2/media/{site.media['protocol'].wp_id}").json["acf"] == []   # not an image


def test_fields_of_the_plugin_format_are_saved_by_wp_v2_writes_too(api, site):
    created = api("POST", "/wp/v2/posts", "editor",
                  json={"title": "X", "status": "draft",
                        "fields": {"evidence_level": "2a", "citations_count": "1,000"}})
    assert created.status_code == 201
    assert created.json["acf"]["evidence_level"] == "2a" and created.json["acf"]["citations_count"] == 1000


def test_meta_shows_no_unregistered_key_and_acf_no_raw_meta(api, site):
    """wp/v2 `meta` lists only keys registered with show_in_rest (none: `[]`), protected ones never."""
    post = site.posts["article"]
    with tenant_scope(site.id):
        CustomField.create(post=post.id, meta_key="_edit_lock", meta_value="1700000000:1")
        CustomField.create(post=post.id, meta_key="legacy_note", meta_value="imported")
    item = api("GET", f"/wp/v2/posts/{post.wp_id}", "editor", params={"context": "edit"}).json
    assert item["meta"] == []
    assert "_edit_lock" not in item["acf"] and "legacy_note" not in item["acf"]
    assert api("GET", f"/acf/v3/posts/{post.wp_id}/_edit_lock").json == {"_edit_lock": None}
    assert api("GET", f"/acf/v3/posts/{post.wp_id}/legacy_note").json == {"legacy_note": None}


def test_embed_and_links_of_relational_values(api, site):
    post, page = site.posts["article"], site.posts["reviewer_page"]
    api("POST", f"/wp/v2/posts/{post.wp_id}", "doctor", json={"acf": {
        "reviewer": [page.wp_id], "hero_image": site.media["xray"].wp_id, "topics": [site.terms["cardiology"].wp_id],
        "primary_author": site.users["author"].wp_id}})
    links = api("GET", f"/wp/v2/posts/{post.wp_id}").json["_links"]
    root = f"http://{site.host}/wp-json/wp/v2"
    assert links["acf:post"] == [{"embeddable": True, "href": f"{root}/pages/{page.wp_id}"}]
    assert links["acf:attachment"] == [{"embeddable": True, "href": f"{root}/media/{site.media['xray'].wp_id}"}]
    assert links["acf:term"] == [{"taxonomy": "category", "embeddable": True,
                                  "href": f"{root}/categories/{site.terms['cardiology'].wp_id}"}]
    assert links["acf:user"] == [{"embeddable": True, "href": f"{root}/users/{site.users['author'].wp_id}"}]
    embedded = api("GET", f"/wp/v2/posts/{post.wp_id}",
                   params={"_embed": "acf:post,acf:attachment", "_fields": "_links,_embedded"}).json["_embedded"]
    assert embedded["acf:post"][0]["id"] == page.wp_id and "acf" in embedded["acf:post"][0]
    assert embedded["acf:attachment"][0]["id"] == site.media["xray"].wp_id
    assert embedded["acf:attachment"][0]["acf"] == {"modality": None}          # embed context carries acf
