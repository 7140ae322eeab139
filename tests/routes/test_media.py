"""/wp/v2/media (reading), as WordPress clients see it, on both engines.

The library below rebuilds the four images of the golden WordPress site (ids 4-7, the
green one attached to post 9) and adds what the healthcare rules are about: a PHI
scan, a file attached to a draft, one attached to restricted content, and a PDF.
"""

import copy
import datetime
import json
from pathlib import Path

import pytest

from wpcompat.accounts import create_app_password, create_user
from wpcompat.db import bind, tenant_scope
from wpcompat.models import Media, Post
from wpcompat.wp_ids import next_wp_id, reserve_wp_id

from conftest import basic_auth, make_site

GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "golden"
GOLDEN_HOME = "http://127.0.0.1:8081"
IMAGE_META = {"aperture": "0", "credit": "", "camera": "", "caption": "", "created_timestamp": "0", "copyright": "",
              "focal_length": "0", "iso": "0", "shutter_speed": "0", "title": "", "orientation": "0", "keywords": []}
VIEW_FIELDS = ["id", "date", "date_gmt", "guid", "modified", "modified_gmt", "slug", "status", "type", "link", "title",
               "author", "comment_status", "ping_status", "template", "meta", "description", "caption", "alt_text",
               "media_type", "mime_type", "media_details", "post", "source_url", "_links"]
EMBED_FIELDS = ["id", "date", "slug", "type", "link", "title", "author", "caption", "alt_text", "media_type",
                "mime_type", "media_details", "source_url", "_links"]
EDIT_FIELDS = ["id", "date", "date_gmt", "guid", "modified", "modified_gmt", "slug", "status", "type", "link", "title",
               "author", "comment_status", "ping_status", "template", "meta", "permalink_template", "generated_slug",
               "description", "caption", "alt_text", "media_type", "mime_type", "media_details", "post",
               "source_url", "missing_image_sizes", "medical_content", "contains_phi", "access_level",
               "encryption_status", "dicom_metadata", "_links"]
PHI, DRAFT_ATTACHED, PDF, RESTRICTED_ATTACHED = 20, 21, 22, 23


def when(day, month=1, year=2024):
    return datetime.datetime(year, month, day, 9, 0, 0)


def wp_metadata(name, width, height, filesize, mime, sizes):
    """_wp_attachment_metadata as WordPress stores it ('mime-type' before 'filesize', no URLs)."""
    stem, ext = name.rsplit(".", 1)
    return {"width": width, "height": height, "file": f"2024/01/{name}", "filesize": filesize,
            "sizes": {size: {"file": f"{stem}-{w}x{h}.{ext}", "width": w, "height": h, "mime-type": mime,
                             "filesize": bytes_} for size, w, h, bytes_ in sizes},
            "image_meta": IMAGE_META}


@pytest.fixture
def library(engine):
    """A tenant with a user per role (app passwords), three parent posts and eight media."""
    site = make_site(engine, "media")
    bind(engine.database)
    with tenant_scope(site.id):
        users = {"administrator": site.admin, "author": site.author}
        passwords = {"administrator": site.admin_password, "author": create_app_password(site.author, "t")[1]}
        for role in ("editor", "subscriber", "contributor"):         # wp ids 3, 4, 5
            users[role] = create_user(f"{role}-{site.tenant.slug}", f"{role}@{site.host}", role)
            passwords[role] = create_app_password(users[role], "t")[1]
        reserve_wp_id("post", 30)
        parent = Post.create(title="Programação em Python: introdução", slug="programacao-em-python-introducao",
                             status="publish", author=site.author.id, wp_id=9, published_at=when(1))
        draft = Post.create(title="Rascunho", slug="", status="draft", author=site.author.id, wp_id=10)
        restricted = Post.create(title="Protocolo interno", slug="protocolo-interno", status="publish",
                                 author=users["editor"].id, wp_id=11, compliance_level="restricted",
                                 published_at=when(1))
        media = _golden_media(site, users, parent)
        media.update(_healthcare_media(site, users, draft, restricted))
        Post.update(featured_media=media[PHI].id).where(Post.id == site.post.id).execute()
        Post.update(featured_media=media[5].id).where(Post.id == parent.id).execute()
    site.users, site.passwords, site.media = users, passwords, media

    def auth(role):
        if role is None:
            return {}
        return {"Authorization": basic_auth(users[role].login, passwords[role])}

    site.auth = auth
    return site


def add_media(site, uploader, title, name, *, wp_id=None, mime="image/png", parent=None, day=1, month=1,
              year=2024, metadata=None, **extra):
    moment = when(day, month, year)
    return Media.create(title=title, filename=f"{site.tenant.slug}/2024/01/{name}", original_filename=name,
                        mime_type=mime, file_size=(metadata or {}).get("filesize", 1000),
                        uploaded_by=uploader.id, post=parent.id if parent else None,
                        wp_id=wp_id or next_wp_id("post"), metadata=metadata or {}, inserted_at=moment,
                        updated_at=extra.pop("updated_at", moment), date_local=moment, **extra)


def _golden_media(site, users, parent):
    home = f"http://{site.host}"
    admin, author, editor = users["administrator"], users["author"], users["editor"]
    return {
        4: add_media(site, admin, "Imagem azul", "azul.png", wp_id=4, day=2, slug="imagem-azul",
                     guid=f"{home}/imagem-azul/", alt_text="Um retângulo azul", caption="Legenda <em>azul</em>",
                     description="Descrição da imagem azul.",
                     metadata=wp_metadata("azul.png", 320, 240, 1181, "image/png",
                                          [("medium", 300, 225, 3119), ("thumbnail", 150, 150, 1509)])),
        5: add_media(site, author, "Imagem verde", "verde.png", wp_id=5, day=3, slug="imagem-verde", parent=parent,
                     guid=f"{home}/imagem-verde/", alt_text="Retângulo verde", caption="", description="",
                     updated_at=datetime.datetime(2026, 11, 24, 16, 17, 6),
                     metadata=wp_metadata("verde.png", 640, 480, 2333, "image/png",
                                          [("medium", 300, 225, 1984), ("thumbnail", 150, 150, 794)])),
        6: add_media(site, editor, "Foto vermelha (JPEG)", "vermelho.jpg", wp_id=6, day=4, mime="image/jpeg",
                     slug="foto-vermelha-jpeg", guid=f"{home}/foto-vermelha-jpeg/", alt_text="",
                     caption="Legenda vermelha", description="JPEG gerado com GD",
                     metadata=wp_metadata("vermelho.jpg", 400, 300, 7329, "image/jpeg",
                                          [("medium", 300, 225, 4763), ("thumbnail", 150, 150, 1805)])),
        7: add_media(site, admin, "Café ☕", "cafe-☕.png", wp_id=7, day=5, slug="cafe-%e2%98%95",
                     guid=f"{home}/cafe-%e2%98%95/", alt_text="café", caption="Xícara de café", description="",
                     metadata=wp_metadata("cafe-☕.png", 200, 200, 799, "image/png",
                                          [("thumbnail", 150, 150, 1353)])),
    }


def _healthcare_media(site, users, draft, restricted):
    admin, author, editor = users["administrator"], users["author"], users["editor"]
    return {
        PHI: add_media(site, admin, "Tomografia do paciente", "tc-paciente.png", wp_id=PHI, day=1, month=3,
                       year=2025, slug="tomografia-do-paciente", contains_phi=True, medical_content=True,
                       encryption_status="aes-256", access_level="phi",
                       metadata=wp_metadata("tc-paciente.png", 512, 512, 4000, "image/png", [])),
        DRAFT_ATTACHED: add_media(site, author, "Anexo do rascunho", "anexo.png", wp_id=DRAFT_ATTACHED, day=2,
                                  month=3, year=2025, slug="anexo-do-rascunho", parent=draft),
        PDF: add_media(site, editor, "Bula em PDF", "bula.pdf", wp_id=PDF, day=1, month=2, year=2025,
                       mime="application/pdf", slug="bula-em-pdf", metadata={"filesize": 1234}),
        RESTRICTED_ATTACHED: add_media(site, editor, "Ultrassom interno", "ultrassom.png", wp_id=RESTRICTED_ATTACHED,
                                       day=3, month=3, year=2025, slug="ultrassom-interno", parent=restricted,
                                       metadata=wp_metadata("ultrassom.png", 2000, 1500, 9000, "image/png",
                                                            [("thumbnail", 150, 150, 900)])),
    }


@pytest.fixture
def api(client, library):
    """api(method, path, role=None, **kwargs) → falcon Result, as `role` of the library's site."""

    def call(method, path, role=None, host=None, **kwargs):
        return client.simulate_request(method, f"/wp-json{path}", host=host or library.host,
                                       headers=library.auth(role), **kwargs)

    return call


def ids(result):
    return [item["id"] for item in result.json]


def golden(name, host):
    """A golden answer with the golden site's URL replaced by this site's, or skip."""
    path = GOLDEN / name
    if not path.exists():
        pytest.skip(f"{name} is not available")
    text = path.read_text(encoding="utf-8").replace(GOLDEN_HOME, f"http://{host}")
    return json.loads(text)


def without_comments(item):
    """A golden item as we answer it: comments exist now, so the `replies` link is kept."""
    return copy.deepcopy(item)


def without_attached_to(item):
    """Our item as WordPress 6.1 answers it: wp:attached-to (WordPress 6.9) left out."""
    item = copy.deepcopy(item)
    item["_links"].pop("wp:attached-to", None)
    if not any(rel.startswith("wp:") for rel in item["_links"] if rel != "curies"):
        item["_links"].pop("curies", None)
    return item


# --- the golden WordPress answers ---------------------------------------------------------------

def test_list_matches_wordpress(api, library):
    result = api("GET", "/wp/v2/media", params={"include": "4,5,6,7"})
    expected = golden("090-media-list.json", library.host)
    assert result.status_code == 200
    assert [without_attached_to(item) for item in result.json] == [without_comments(item)
                                                                    for item in expected["body"]]
    for header in ("X-WP-Total", "X-WP-TotalPages", "Allow", "Content-Type"):
        assert result.headers[header] == expected["headers"][header]
    assert [list(item) for item in result.json] == [VIEW_FIELDS] * 4


@pytest.mark.parametrize("name, wp_id", [("091-media-single.json", 4), ("092-media-single-jpeg.json", 6)])
def test_single_item_matches_wordpress(api, library, name, wp_id):
    result = api("GET", f"/wp/v2/media/{wp_id}")
    expected = golden(name, library.host)
    assert result.status_code == 200
    assert result.json == without_comments(expected["body"])
    assert result.headers["Link"] == expected["headers"]["Link"]
    assert result.headers["Allow"] == "GET"


def test_parent_and_type_filters_match_wordpress(api, library):
    by_parent = api("GET", "/wp/v2/media", params={"parent": 9})
    expected = golden("093-media-parent.json", library.host)
    assert [without_attached_to(item) for item in by_parent.json] == [without_comments(item)
                                                                       for item in expected["body"]]
    assert by_parent.json[0]["_links"]["wp:attached-to"] == [{
        "embeddable": True, "post_type": "post", "id": 9, "href": f"http://{library.host}/wp-json/wp/v2/posts/9"}]
    typed = api("GET", "/wp/v2/media", params={"media_type": "image", "mime_type": "image/jpeg",
                                               "_fields": "id,mime_type"})
    expected = golden("094-media-type.json", library.host)
    assert typed.json == expected["body"]
    assert typed.headers["X-WP-Total"] == expected["headers"]["X-WP-Total"]


def test_featured_media_embeds_like_wordpress(api, library):
    result = api("GET", "/wp/v2/posts/9", params={"_embed": "wp:featuredmedia"})
    expected = golden("055-post-single-_embed.json", library.host)
    embedded = result.json["_embedded"]["wp:featuredmedia"]
    assert [without_attached_to(item) for item in embedded] == [
        without_comments(item) for item in expected["body"]["_embedded"]["wp:featuredmedia"]]
    assert list(embedded[0]) == EMBED_FIELDS


# --- fields and contexts -------------------------------------------------------------------------

def test_edit_context_for_the_uploader_and_editors(api, library):
    own = api("GET", "/wp/v2/media/5", "author", params={"context": "edit"})
    assert own.status_code == 200 and list(own.json) == EDIT_FIELDS
    item = own.json
    assert item["title"] == {"raw": "Imagem verde", "rendered": "Imagem verde"}
    assert item["caption"]["raw"] == "" and item["description"]["raw"] == ""
    assert item["guid"]["raw"] == item["guid"]["rendered"]
    assert item["permalink_template"] == f"http://{library.host}/programacao-em-python-introducao/%postname%/"
    assert item["generated_slug"] == "imagem-verde" and item["missing_image_sizes"] == []
    assert (item["contains_phi"], item["medical_content"], item["encryption_status"]) == (False, False, "none")
    others = api("GET", "/wp/v2/media/4", "author", params={"context": "edit"})
    assert (others.status_code, others.json["code"]) == (403, "rest_forbidden_context")
    assert others.json["message"] == "Sorry, you are not allowed to edit this post."
    anonymous = api("GET", "/wp/v2/media/4", params={"context": "edit"})
    assert (anonymous.status_code, anonymous.json["code"]) == (401, "rest_forbidden_context")
    editor = api("GET", "/wp/v2/media/4", "editor", params={"context": "edit"}).json
    assert editor["permalink_template"] == f"http://{library.host}/?attachment_id=4"
    assert {"wp:action-unfiltered-html", "wp:action-assign-author"} <= set(editor["_links"])
    big = api("GET", f"/wp/v2/media/{RESTRICTED_ATTACHED}", "editor", params={"context": "edit"}).json
    assert big["missing_image_sizes"] == ["medium", "medium_large", "large", "1536x1536"]


def test_edit_context_collections(api):
    for role, status in ((None, 401), ("subscriber", 403)):
        result = api("GET", "/wp/v2/media", role, params={"context": "edit"})
        assert (result.status_code, result.json["code"]) == (status, "rest_forbidden_context")
    author = api("GET", "/wp/v2/media", "author", params={"context": "edit", "per_page": 100})
    assert set(ids(author)) == {5, DRAFT_ATTACHED}                  # only what they may edit
    admin = api("GET", "/wp/v2/media", "administrator", params={"context": "edit", "per_page": 100})
    phi = next(item for item in admin.json if item["id"] == PHI)
    assert (phi["contains_phi"], phi["access_level"], phi["encryption_status"]) == (True, "phi", "aes-256")


def test_embed_context_and_fields(api):
    item = api("GET", "/wp/v2/media/4", params={"context": "embed"}).json
    assert list(item) == EMBED_FIELDS and "raw" not in item["caption"]
    picked = api("GET", "/wp/v2/media", params={"_fields": "id,caption.rendered,media_details.width"}).json
    assert all(set(entry) <= {"id", "caption", "media_details"} for entry in picked)
    assert picked[-1] == {"id": 4, "caption": {"rendered": "<p>Legenda <em>azul</em></p>\n"},
                          "media_details": {"width": 320}}


def test_files_that_are_not_images(api, library):
    item = api("GET", f"/wp/v2/media/{PDF}").json
    url = f"http://{library.host}/wp-content/uploads/2024/01/bula.pdf"
    assert (item["media_type"], item["mime_type"], item["source_url"]) == ("file", "application/pdf", url)
    assert item["media_details"] == {"filesize": 1234, "sizes": {}}
    assert item["description"]["rendered"] == f"<p class=\"attachment\"><a href='{url}'>Bula em PDF</a></p>\n"
    assert item["caption"]["rendered"] == "<p>Bula em PDF</p>\n"
    empty = api("GET", f"/wp/v2/media/{DRAFT_ATTACHED}", "editor")
    assert empty.json["media_details"] == {} and '"media_details":{}' in empty.text.replace(" ", "")
    assert empty.json["link"] == f"http://{library.host}/?attachment_id={DRAFT_ATTACHED}"   # draft parent


# --- filters and pagination ----------------------------------------------------------------------

def test_filters(api):
    def found(**params):
        return ids(api("GET", "/wp/v2/media", params={"per_page": 100, **params}))

    assert found() == [PDF, 7, 6, 5, 4]                              # newest first, what anonymous may see
    assert found(search="vermelha") == [6]
    assert found(search="cafe") == [7]                                # the file name, not the title
    assert found(search="GD") == [6]                                  # the description
    assert found(search="media") == []                                # not the tenant's folder
    assert found(author=3) == [PDF, 6] and found(author_exclude="1,3") == [5]
    assert found(media_type="application") == [PDF] and found(mime_type="application/pdf") == [PDF]
    assert found(mime_type="made/up") == found()                      # unknown MIME types are ignored
    assert found(mime_type="application/pdf,image/png") == found()    # a list is not one MIME type
    assert found(parent=0) == [PDF, 7, 6, 4] and found(parent_exclude=9) == [PDF, 7, 6, 4]
    assert found(slug="imagem-azul,imagem-verde") == [5, 4]
    assert found(include="4,7,5", orderby="include") == [4, 7, 5] and found(exclude="4,5,6") == [PDF, 7]
    assert found(after="2024-01-03T12:00:00", before="2024-06-01T00:00:00") == [7, 6]
    assert found(modified_after="2026-01-01T00:00:00") == [5]
    assert found(orderby="title", order="asc") == [PDF, 7, 6, 4, 5]
    assert found(orderby="id", order="asc") == [4, 5, 6, 7, PDF]
    assert found(offset=3, per_page=1) == [5]


def test_pagination(api, library):
    result = api("GET", "/wp/v2/media", params={"per_page": 2, "page": 2})
    assert ids(result) == [6, 5]
    assert (result.headers["X-WP-Total"], result.headers["X-WP-TotalPages"]) == ("5", "3")
    base = f"http://{library.host}/wp-json/wp/v2/media"
    assert result.headers["Link"] == (f'<{base}?per_page=2&page=1>; rel="prev", '
                                      f'<{base}?per_page=2&page=3>; rel="next"')
    past = api("GET", "/wp/v2/media", params={"page": 9})
    assert (past.status_code, past.json["code"]) == (400, "rest_post_invalid_page_number")


@pytest.mark.parametrize("params, code", [({"per_page": 0}, "rest_out_of_bounds"),
                                          ({"media_type": "spreadsheet"}, "rest_not_in_enum"),
                                          ({"orderby": "menu_order"}, "rest_not_in_enum"),
                                          ({"parent": "nine"}, "rest_invalid_type")])
def test_bad_arguments(api, params, code):
    result = api("GET", "/wp/v2/media", params=params)
    name = next(iter(params))
    assert (result.status_code, result.json["code"]) == (400, "rest_invalid_param")
    assert result.json["data"]["details"][name]["code"] == code


def test_media_type_names_one_type(api):
    """WordPress 6.1: media_type (like mime_type) is one string; a list of media types is not one of them."""
    result = api("GET", "/wp/v2/media", params={"media_type": "image,application"})
    assert (result.status_code, result.json["code"]) == (400, "rest_invalid_param")
    assert result.json["data"]["details"]["media_type"]["code"] == "rest_not_in_enum"


def test_updates_validate_every_writable_field(api, library):
    """Media take every writable field of their schema, as WordPress does: a bad status is a bad argument."""
    result = api("POST", "/wp/v2/media/5", "administrator", json={"status": "bogus", "title": "Outro título"})
    assert (result.status_code, result.json["code"]) == (400, "rest_invalid_param")
    assert result.json["data"]["details"]["status"]["code"] == "rest_not_in_enum"
    assert api("GET", "/wp/v2/media/5").json["title"]["rendered"] == "Imagem verde"


def test_statuses(api):
    anonymous = api("GET", "/wp/v2/media", params={"status": "private"})
    assert anonymous.status_code == 400
    assert anonymous.json["data"]["details"]["status"] == {"code": "rest_forbidden_status",
                                                           "message": "Status is forbidden.", "data": {"status": 401}}
    assert api("GET", "/wp/v2/media", "subscriber", params={"status": "trash"}).json["data"]["details"][
        "status"]["data"] == {"status": 403}
    trash = api("GET", "/wp/v2/media", "administrator", params={"status": "trash"})
    assert (trash.status_code, trash.json, trash.headers["X-WP-Total"]) == (200, [], "0")
    relevance = api("GET", "/wp/v2/media", params={"orderby": "relevance"})
    assert relevance.json["code"] == "rest_no_search_term_defined"


# --- who sees what ---------------------------------------------------------------------------------

def test_counts_follow_phi_parents_and_compliance(api):
    totals = {role: api("GET", "/wp/v2/media", role).headers["X-WP-Total"]
              for role in (None, "subscriber", "author", "editor", "administrator")}
    # 5 public; the author also their own file on a draft; editors the draft's and the restricted one; PHI: admin
    assert totals == {None: "5", "subscriber": "5", "author": "6", "editor": "7", "administrator": "8"}
    assert PHI in ids(api("GET", "/wp/v2/media", "administrator", params={"per_page": 100}))


@pytest.mark.parametrize("role", [None, "subscriber", "author", "editor"])
def test_phi_media_do_not_exist_without_phi_rights(api, role):
    result = api("GET", f"/wp/v2/media/{PHI}", role)
    assert (result.status_code, result.json) == (404, {"code": "rest_post_invalid_id", "message": "Invalid post ID.",
                                                       "data": {"status": 404}})
    assert PHI not in ids(api("GET", "/wp/v2/media", role, params={"per_page": 100}))
    assert api("GET", "/wp/v2/media", role, params={"search": "Tomografia"}).headers["X-WP-Total"] == "0"


def test_phi_media_for_administrators_and_granted_users(api, library):
    assert api("GET", f"/wp/v2/media/{PHI}", "administrator").json["title"]["rendered"] == "Tomografia do paciente"
    with tenant_scope(library.id):
        editor = library.users["editor"]
        type(editor).update(phi_access=True).where(type(editor).id == editor.id).execute()
    assert api("GET", f"/wp/v2/media/{PHI}", "editor").status_code == 200


def test_featured_phi_media_is_embedded_only_for_who_may_see_it(api, library):
    path = f"/wp/v2/posts/{library.post.wp_id}"
    for role in (None, "editor"):     # a PHI image does not exist for them: no id, no link, no embed
        post = api("GET", path, role, params={"_embed": "1"}).json
        assert post["featured_media"] == 0
        assert "wp:featuredmedia" not in post["_links"]
        assert "wp:featuredmedia" not in post.get("_embedded", {})
        assert "tc-paciente" not in json.dumps(post)
    admin = api("GET", path, "administrator", params={"_embed": "wp:featuredmedia"}).json
    assert admin["_embedded"]["wp:featuredmedia"][0]["id"] == PHI
    assert admin["_embedded"]["wp:featuredmedia"][0]["source_url"] == \
        f"http://{library.host}/wp-json/wpcompat/v1/media/{PHI}/file"       # PHI: the audited download route


def test_media_follow_their_parent_post(api):
    denied = api("GET", f"/wp/v2/media/{DRAFT_ATTACHED}")
    assert (denied.status_code, denied.json["code"]) == (401, "rest_forbidden")
    assert api("GET", f"/wp/v2/media/{DRAFT_ATTACHED}", "subscriber").status_code == 403
    assert api("GET", f"/wp/v2/media/{DRAFT_ATTACHED}", "author").status_code == 200     # their upload
    editor = api("GET", f"/wp/v2/media/{DRAFT_ATTACHED}", "editor").json
    assert editor["post"] == 10
    for role in (None, "subscriber", "author"):                   # restricted content does not exist for them
        hidden = api("GET", f"/wp/v2/media/{RESTRICTED_ATTACHED}", role)
        assert (hidden.status_code, hidden.json["code"]) == (404, "rest_post_invalid_id")
    assert api("GET", f"/wp/v2/media/{RESTRICTED_ATTACHED}", "editor").status_code == 200


def test_posts_and_media_share_ids_but_not_routes(api, library):
    for path in ("/wp/v2/media/9", f"/wp/v2/media/{library.post.wp_id}", "/wp/v2/posts/4", "/wp/v2/media/999"):
        result = api("GET", path, "administrator")
        assert (result.status_code, result.json["code"]) == (404, "rest_post_invalid_id"), path


def test_another_tenants_media_do_not_exist(api, library, site_b):
    with tenant_scope(site_b.id):
        reserve_wp_id("post", 40)
        foreign = add_media(site_b, site_b.admin, "Raio-x de B", "raio-x.png", wp_id=40, slug="raio-x")
    assert api("GET", "/wp/v2/media/40", "administrator").json["code"] == "rest_post_invalid_id"
    assert 40 not in ids(api("GET", "/wp/v2/media", "administrator", params={"per_page": 100}))
    assert api("GET", "/wp/v2/media", "administrator", params={"search": "Raio"}).headers["X-WP-Total"] == "0"
    theirs = api("GET", "/wp/v2/media/40", host=site_b.host)
    assert theirs.status_code == 200 and theirs.json["title"]["rendered"] == foreign.title


def test_reads_are_audited(api, library, audit_rows):
    def events(name):
        return [row for row in audit_rows(library) if row.metadata.get("event") == name]

    api("GET", "/wp/v2/media", params={"per_page": 2})
    [listed] = events("media:list")
    assert (listed.resource_type, listed.operation, listed.policy_decision) == ("media", "read", "allow")
    assert listed.metadata["ids"] == [PDF, 7] and listed.metadata["total"] == 5
    api("GET", "/wp/v2/media/6", "editor")
    [read] = events("media:read")
    assert str(read.resource_id) == str(library.media[6].id) and read.metadata["wp_id"] == 6
    api("GET", f"/wp/v2/media/{PHI}")
    denied = [row for row in audit_rows(library) if row.metadata.get("path", "").endswith(f"/media/{PHI}")]
    assert [(row.policy_decision, row.metadata["status"]) for row in denied] == [("deny", 404)]


def test_queries_per_list_do_not_grow_with_per_page(api, library, monkeypatch):
    """No N+1: a page of 2 media and a page of 5 cost the same number of queries."""
    from wpcompat.db import db

    statements = []
    original = db.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", counting)
    api("GET", "/wp/v2/media", "administrator")          # warm: the site directory, the password's last use
    counts = {}
    for per_page in (2, 5):
        statements.clear()
        assert len(api("GET", "/wp/v2/media", "administrator", params={"per_page": per_page}).json) == per_page
        counts[per_page] = len(statements)
    assert counts[2] == counts[5], statements


def test_routes_are_published(api):
    index = api("GET", "/wp/v2").json["routes"]
    assert index["/wp/v2/media"]["methods"] == ["GET", "POST"]           # POST: uploads (test_media_uploads.py)
    args = index["/wp/v2/media"]["endpoints"][0]["args"]
    assert args["status"]["default"] == "inherit" and args["media_type"]["enum"] == [
        "image", "video", "text", "application", "audio"]
    assert "/wp/v2/media/(?P<id>[\\d]+)" in index
    options = api("OPTIONS", "/wp/v2/media/4")
    assert options.json["schema"]["title"] == "attachment" and "missing_image_sizes" in options.json["schema"][
        "properties"]


# --- updates: the fields attachments share with posts (editing/media.py) -------------------------------

def edit_view(api, wp_id, role="administrator"):
    return api("GET", f"/wp/v2/media/{wp_id}", role, params={"context": "edit"}).json


def test_updates_apply_slug_dates_author_and_status(api, library):
    editor = library.users["editor"]
    result = api("POST", "/wp/v2/media/4", "administrator", json={
        "slug": "Nova Imagem Azul", "date": "2023-05-06T07:08:09", "author": editor.wp_id, "status": "publish",
        "meta": {"unregistered": "ignored"}, "comment_status": "open", "ping_status": "closed", "template": ""})
    assert result.status_code == 200, result.json
    item = edit_view(api, 4)
    assert {name: item[name] for name in ("slug", "date", "date_gmt", "author", "status", "meta")} == {
        "slug": "nova-imagem-azul", "date": "2023-05-06T07:08:09", "date_gmt": "2023-05-06T07:08:09",
        "author": editor.wp_id, "status": "inherit", "meta": []}
    assert result.json == {**item, "_links": result.json["_links"]}          # the answer is what is saved
    assert item["link"] == f"http://{library.host}/nova-imagem-azul/"
    gmt = api("PUT", "/wp/v2/media/4", "administrator", json={"date_gmt": "2022-01-02T03:04:05Z"})
    assert (gmt.json["date"], gmt.json["date_gmt"]) == ("2022-01-02T03:04:05", "2022-01-02T03:04:05")
    offset = api("PATCH", "/wp/v2/media/4", "administrator", json={"date": "2022-01-02T03:04:05-03:00"})
    assert offset.json["date_gmt"] == "2022-01-02T06:04:05"
    assert edit_view(api, 4)["date_gmt"] == "2022-01-02T06:04:05"


def test_a_null_date_resets_it_to_now(api):
    before = api("GET", "/wp/v2/media/4").json["date"]
    result = api("POST", "/wp/v2/media/4", "administrator", json={"date": None})
    assert result.status_code == 200 and result.json["date"] > before
    assert result.json["date"][:4] == str(datetime.datetime.now(datetime.timezone.utc).year)


def test_slugs_are_unique_among_posts_and_media_of_the_site(api, library, site_b):
    def rename(slug, wp_id=6):
        result = api("POST", f"/wp/v2/media/{wp_id}", "administrator", json={"slug": slug})
        assert result.status_code == 200, result.json
        return edit_view(api, wp_id)["slug"]

    assert rename("imagem-azul") == "imagem-azul-2"                           # media 4's
    assert rename("programacao-em-python-introducao") == "programacao-em-python-introducao-2"   # post 9's
    assert rename("imagem-azul-2") == "imagem-azul-2"                         # its own slug stays its own
    assert rename("feed") == "feed-2"                                         # feed names are never slugs
    assert rename("") == "foto-vermelha-jpeg"                                 # empty: from the title
    assert rename("Café ☕") == "cafe-%e2%98%95-2"
    assert rename(site_b.post.slug) == site_b.post.slug                      # another site's slugs are free


def test_changing_the_author_needs_edit_others_posts(api, library):
    author, editor = library.users["author"], library.users["editor"]
    refused = api("POST", "/wp/v2/media/5", "author", json={"author": editor.wp_id, "title": "Minha"})
    assert (refused.status_code, refused.json["code"]) == (403, "rest_cannot_edit_others")
    assert refused.json["message"] == "Sorry, you are not allowed to update posts as this user."
    assert edit_view(api, 5)["author"] == author.wp_id and edit_view(api, 5)["title"]["raw"] == "Imagem verde"
    assert api("POST", "/wp/v2/media/5", "author", json={"author": author.wp_id}).status_code == 200
    moved = api("POST", "/wp/v2/media/5", "editor", json={"author": editor.wp_id})
    assert moved.status_code == 200 and edit_view(api, 5)["author"] == editor.wp_id
    assert api("GET", "/wp/v2/media/5", "author", params={"context": "edit"}).status_code == 403   # no longer theirs
    unknown = api("POST", "/wp/v2/media/5", "editor", json={"author": 999})
    assert (unknown.status_code, unknown.json["code"]) == (400, "rest_invalid_author")


def test_a_bad_date_is_400_and_changes_nothing(api):
    before = edit_view(api, 4)
    for field in ("date", "date_gmt"):
        result = api("POST", "/wp/v2/media/4", "administrator",
                     json={field: "2023-13-45T99:00:00", "title": "Outro", "slug": "outro"})
        assert (result.status_code, result.json["code"]) == (400, "rest_invalid_param")
        assert result.json["data"]["details"][field]["code"] == "rest_invalid_date"
    after = edit_view(api, 4)
    assert (after["title"], after["slug"], after["date"]) == (before["title"], before["slug"], before["date"])


@pytest.mark.parametrize("field, value, code, message", [
    ("comment_status", "closed", "rest_not_in_enum", "comment_status is not one of open: media here always keep open."),
    ("ping_status", "open", "rest_not_in_enum", "ping_status is not one of closed: media here always keep closed."),
    ("template", "full-width.php", "rest_invalid_param", "template is not one of ."),
    ("status", "private", "rest_not_in_enum",
     "status is not one of publish, future, draft, pending: media here cannot be private."),
])
def test_fields_without_a_column_take_only_what_is_answered(api, field, value, code, message):
    result = api("POST", "/wp/v2/media/4", "administrator", json={field: value, "title": "Outro", "slug": "outro"})
    assert (result.status_code, result.json["code"]) == (400, "rest_invalid_param")
    assert result.json["data"]["details"][field] == {"code": code, "message": message, "data": None}
    item = edit_view(api, 4)
    assert (item["title"]["raw"], item["slug"], item[field]) == ("Imagem azul", "imagem-azul", {
        "comment_status": "open", "ping_status": "closed", "template": "", "status": "inherit"}[field])


def test_field_updates_are_audited_per_tenant(api, client, library, site_b, audit_rows):
    api("POST", "/wp/v2/media/6", "editor", json={"slug": "vermelha", "author": library.users["editor"].wp_id})
    [row] = [row for row in audit_rows(library) if row.metadata.get("event") == "media:update"]
    assert (row.operation, row.policy_decision, str(row.resource_id)) == ("update", "allow",
                                                                            str(library.media[6].id))
    assert row.metadata["fields"] == ["slug", "author"] and row.metadata["author"] == library.users["editor"].wp_id
    other = client.simulate_post("/wp-json/wp/v2/media/6", host=site_b.host, json={"slug": "x"},
                                 headers={"Authorization": basic_auth(site_b.admin.login, site_b.admin_password)})
    assert (other.status_code, other.json["code"]) == (404, "rest_post_invalid_id")
    assert edit_view(api, 6)["slug"] == "vermelha"
