"""XML-RPC on terms, users, options, post types and media, through the whole app, on both engines."""

import datetime

import pytest

from clinic import make_clinic
from conftest import count_rows
from wpcompat.db import tenant_scope
from wpcompat.models import Media, Term, Tenant
from wpcompat.wp_ids import next_wp_id

from .helpers import creds, fresh_login_counters, rpc  # noqa: F401


@pytest.fixture
def clinic(engine):
    return make_clinic(engine, "xmlrpc-site")


# --- taxonomies and terms -------------------------------------------------------------------------

def test_taxonomies_and_terms(rpc, creds, clinic):
    admin = creds("administrator")
    taxonomy = rpc.call("wp.getTaxonomy", *admin, "category")
    assert list(taxonomy) == ["name", "label", "hierarchical", "public", "show_ui", "_builtin", "labels", "cap",
                              "object_type"]
    assert (taxonomy["hierarchical"], taxonomy["object_type"]) == (True, ["post"])
    assert [item["name"] for item in rpc.call("wp.getTaxonomies", *admin)] == ["category", "post_tag", "post_format"]
    assert rpc.fault("wp.getTerms", *admin, "nope") == (403, "Invalid taxonomy.")
    categories = rpc.call("wp.getTerms", *admin, "category")
    assert [term["name"] for term in categories] == ["Cardiologia", "Hipertensão", "Hipertensão na gravidez",
                                                     "Notícias", "Pediatria", "Sem categoria"]
    child = next(term for term in categories if term["name"] == "Hipertensão")
    assert child["parent"] == str(clinic.term("Cardiologia").wp_id) and isinstance(child["count"], int)
    tags = rpc.call("wp.getTerms", *admin, "post_tag", {"hide_empty": True, "orderby": "count", "order": "DESC"})
    assert tags[0]["name"] == "prevenção" or tags[0]["count"] >= tags[-1]["count"]
    assert rpc.call("wp.getTerm", *admin, "category", clinic.term("Pediatria").wp_id)["slug"] == "pediatria"
    assert rpc.fault("wp.getTerm", *admin, "category", 999999) == (404, "Invalid term ID.")


def test_new_edit_delete_terms_and_categories(rpc, creds, clinic):
    admin = creds("administrator")
    parent = clinic.term("Cardiologia").wp_id
    term_id = rpc.call("wp.newTerm", *admin, {"name": "Arritmia", "taxonomy": "category", "parent": parent,
                                              "description": "via xmlrpc"})
    assert isinstance(term_id, str)
    assert rpc.fault("wp.newTerm", *admin, {"name": "Arritmia", "taxonomy": "category", "parent": parent}) == (
        500, "A term with the name provided already exists with this parent.")
    assert rpc.fault("wp.newTerm", *admin, {"name": " ", "taxonomy": "category"}) == (
        403, "The term name cannot be empty.")
    assert rpc.fault("wp.newTerm", *admin, {"name": "x", "taxonomy": "post_tag", "parent": parent}) == (
        403, "This taxonomy is not hierarchical.")
    assert rpc.fault("wp.newTerm", *creds("author"), {"name": "x", "taxonomy": "category"}) == (
        401, "Sorry, you are not allowed to create terms in this taxonomy.")
    assert rpc.call("wp.editTerm", *admin, int(term_id), {"taxonomy": "category", "name": "Arritmias"}) is True
    term = rpc.call("wp.getTerm", *admin, "category", int(term_id))
    assert (term["name"], term["parent"], term["description"]) == ("Arritmias", str(parent), "via xmlrpc")
    assert rpc.call("wp.deleteTerm", *admin, "category", int(term_id)) is True
    assert rpc.fault("wp.deleteTerm", *admin, "category", int(term_id)) == (404, "Invalid term ID.")
    category = rpc.call("wp.newCategory", *admin, {"name": "Neurologia", "description": "nova"})
    assert isinstance(category, int)
    assert rpc.call("wp.newCategory", *admin, {"name": "Neurologia"}) == category   # existing: its id
    listed = rpc.call("wp.getCategories", *admin)
    neuro = next(item for item in listed if item["categoryName"] == "Neurologia")
    assert neuro == {"categoryId": category, "parentId": 0, "description": "Neurologia", "categoryDescription": "nova",
                     "categoryName": "Neurologia", "htmlUrl": f"http://{clinic.host}/category/neurologia/",
                     "rssUrl": f"http://{clinic.host}/category/neurologia/feed/"}
    assert {"categoryId": category, "categoryName": "Neurologia"} in rpc.call("mt.getCategoryList", *admin)
    assert rpc.call("wp.deleteCategory", *admin, category) is True
    assert [item["name"] for item in rpc.call("wp.getTags", *admin)] == ["café", "pressão arterial", "prevenção",
                                                                        "vacinas"]


# --- users ---------------------------------------------------------------------------------------

def test_users_blogs_profiles_and_authors(rpc, creds, clinic):
    blogs = rpc.call("wp.getUsersBlogs", *creds("administrator")[1:])
    assert blogs == [{"isAdmin": True, "url": f"http://{clinic.host}/", "blogid": "1", "blogName": "Clinic xmlrpc-site",
                      "xmlrpc": f"http://{clinic.host}/xmlrpc.php"}]
    assert rpc.call("blogger.getUsersBlogs", "key", *creds("editor")[1:])[0]["isAdmin"] is False
    users = rpc.call("wp.getUsers", *creds("administrator"))
    assert [user["username"] for user in users] == ["admin", "author", "contributor", "editor", "subscriber"]
    assert list(users[0]) == ["user_id", "username", "first_name", "last_name", "registered", "bio", "email",
                              "nickname", "nicename", "url", "display_name", "roles"]
    assert isinstance(users[0]["registered"], datetime.datetime) and users[0]["roles"] == ["administrator"]
    assert rpc.fault("wp.getUsers", *creds("editor")) == (401, "Sorry, you are not allowed to list users.")
    assert rpc.fault("wp.getUsers", *creds("administrator"), {"role": "king"}) == (403, "Invalid role.")
    author_id = clinic.users["author"].wp_id
    assert rpc.call("wp.getUser", *creds("administrator"), author_id, ["basic"]) == {
        "user_id": str(author_id), "username": "author", "email": "author@demo.wpcompat.test",
        "registered": rpc.call("wp.getUser", *creds("author"), author_id)["registered"],
        "display_name": "Álvaro Autor", "nicename": "author"}
    assert rpc.fault("wp.getUser", *creds("editor"), author_id) == (
        401, "Sorry, you are not allowed to edit this user.")
    assert rpc.call("wp.editProfile", *creds("editor"), {"first_name": "Éder", "bio": "Cardiologista"}) is True
    profile = rpc.call("wp.getProfile", *creds("editor"), ["first_name", "bio"])
    assert profile == {"user_id": str(clinic.users["editor"].wp_id), "first_name": "Éder", "bio": "Cardiologista"}
    authors = rpc.call("wp.getAuthors", *creds("contributor"))
    assert {"user_id", "user_login", "display_name"} == set(authors[0])
    info = rpc.call("blogger.getUserInfo", "key", *creds("editor")[1:])
    assert info["userid"] == clinic.users["editor"].wp_id and info["firstname"] == "Éder"


# --- options, types, statuses, media -------------------------------------------------------------

def test_options_read_and_write(rpc, creds, clinic):
    options = rpc.call("wp.getOptions", *creds("administrator"))
    assert list(options)[:3] == ["software_name", "software_version", "blog_url"]
    assert options["blog_title"] == {"desc": "Site Title", "readonly": False, "value": "Clinic xmlrpc-site"}
    assert options["time_zone"]["value"] == -3.0
    assert rpc.call("wp.getOptions", *creds("author"), ["blog_title", "nope"]) == {
        "blog_title": {"desc": "Site Title", "readonly": True, "value": "Clinic xmlrpc-site"}}
    assert rpc.fault("wp.setOptions", *creds("editor"), {"blog_title": "x"}) == (
        403, "Sorry, you are not allowed to update options.")
    changed = rpc.call("wp.setOptions", *creds("administrator"), {"blog_title": "Nova Clínica", "time_zone": 2,
                                                                   "software_version": "9", "date_format": "d/m/Y",
                                                                   "thumbnail_size_w": 200})
    assert list(changed) == ["blog_title", "time_zone", "software_version", "date_format", "thumbnail_size_w"]
    assert changed["blog_title"]["value"] == "Nova Clínica" and changed["software_version"]["value"] == "6.1.9"
    assert changed["time_zone"]["value"] == 2.0 and changed["thumbnail_size_w"]["value"] == "200"
    with tenant_scope(None):
        tenant = Tenant.get(Tenant.id == clinic.id)
    assert (tenant.name, tenant.date_format, tenant.timezone_string) == ("Nova Clínica", "d/m/Y", "Etc/GMT-2")
    assert tenant.options["thumbnail_size_w"] == "200"
    assert rpc.call("wp.getOptions", *creds("editor"), ["thumbnail_size_w"])["thumbnail_size_w"]["value"] == "200"


def test_post_types_formats_statuses_and_templates(rpc, creds):
    admin = creds("administrator")
    types = rpc.call("wp.getPostTypes", *admin)
    assert list(types) == ["post", "page", "attachment"]
    assert list(types["post"]) == ["name", "label", "hierarchical", "public", "show_ui", "_builtin", "has_archive",
                                   "supports", "labels", "cap", "map_meta_cap", "taxonomies"]
    assert list(rpc.call("wp.getPostTypes", *creds("author"))) == ["post", "attachment"]
    assert rpc.call("wp.getPostType", *admin, "page", ["menu"])["menu_position"] == 20
    assert rpc.fault("wp.getPostType", *admin, "nope") == (403, "Invalid post type.")
    assert list(rpc.call("wp.getPostFormats", *admin))[:3] == ["standard", "aside", "chat"]
    assert rpc.call("wp.getPostStatusList", *admin) == {"draft": "Draft", "pending": "Pending Review",
                                                        "private": "Private", "publish": "Published"}
    assert rpc.fault("wp.getPostStatusList", *creds("subscriber")) == (
        403, "Sorry, you are not allowed to access details about this site.")
    assert rpc.call("wp.getPageStatusList", *admin) == {"draft": "Draft", "private": "Private", "publish": "Published"}
    assert rpc.call("wp.getPageTemplates", *admin) == {"Default": "default"}
    assert rpc.call("wp.getRevisions", *admin, 1) == []


def test_media_items_and_uploads(rpc, creds, clinic):
    with tenant_scope(clinic.id):
        image = Media.create(filename=f"{clinic.tenant.slug}/2026/11/azul.png", original_filename="azul.png",
                             mime_type="image/png", file_size=1181, uploaded_by=clinic.users["editor"].id,
                             wp_id=next_wp_id("post"), title="Imagem azul", caption="Legenda", alt_text="azul",
                             width=320, height=240,
                             metadata={"width": 320, "height": 240, "file": "2026/11/azul.png", "filesize": 1181,
                                       "sizes": {"thumbnail": {"file": "azul-150x150.png", "width": 150,
                                                               "height": 150, "mime-type": "image/png"}},
                                       "image_meta": {"title": ""}})
        secret = Media.create(filename=f"{clinic.tenant.slug}/2026/11/exame.png", original_filename="exame.png",
                              mime_type="image/png", file_size=10,
                              uploaded_by=clinic.users["administrator"].id,
                              wp_id=next_wp_id("post"), contains_phi=True)
    item = rpc.call("wp.getMediaItem", *creds("editor"), image.wp_id)
    assert list(item) == ["attachment_id", "date_created_gmt", "parent", "link", "title", "caption", "description",
                          "metadata", "type", "thumbnail"]
    assert item["link"] == f"http://{clinic.host}/wp-content/uploads/2026/11/azul.png"
    assert item["thumbnail"] == f"http://{clinic.host}/wp-content/uploads/2026/11/azul-150x150.png"
    assert item["parent"] == 0 and item["metadata"]["sizes"]["thumbnail"]["mime-type"] == "image/png"
    assert rpc.fault("wp.getMediaItem", *creds("editor"), secret.wp_id) == (404, "Invalid attachment ID.")
    assert rpc.call("wp.getMediaItem", *creds("administrator"), secret.wp_id)["metadata"] is False
    assert [entry["attachment_id"] for entry in rpc.call("wp.getMediaLibrary", *creds("editor"))] == [str(image.wp_id)]
    assert rpc.fault("wp.getMediaLibrary", *creds("subscriber")) == (401, "Sorry, you are not allowed to upload files.")
    before = count_rows(clinic, Media)
    assert rpc.fault("wp.uploadFile", *creds("editor"), {"name": "x.png", "type": "image/png", "bits": b"\x89PNG"}) \
        == (500, "Could not write file x.png (Sorry, you are not allowed to upload this file type.).")
    assert rpc.fault("metaWeblog.newMediaObject", *creds("editor"), {"type": "image/png"}) == (
        400, "Invalid attachment data.")
    assert count_rows(clinic, Media) == before


def test_terms_of_another_tenant_do_not_exist(rpc, creds, site_b):
    with tenant_scope(site_b.id):
        foreign = Term.create(name="Estrangeira", slug="estrangeira", wp_id=800000, taxonomy="category")
    assert rpc.fault("wp.getTerm", *creds("administrator"), "category", foreign.wp_id) == (404, "Invalid term ID.")
    assert rpc.fault("wp.deleteTerm", *creds("administrator"), "category", foreign.wp_id) == (404, "Invalid term ID.")
    assert "Estrangeira" not in [item["categoryName"] for item in rpc.call("mt.getCategoryList",
                                                                            *creds("administrator"))]
