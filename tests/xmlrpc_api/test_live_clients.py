"""Real XML-RPC clients against a live `wpcompat serve` (gunicorn) on PostgreSQL.

python-wordpress-xmlrpc (the library many migration scripts use) and the standard
library's xmlrpc.client talk to gunicorn over real HTTP. The database is this module's
own, holding only the demo clinic, so the server answers on 127.0.0.1 whatever the Host.
"""

import datetime
import urllib.error
import urllib.request
import xmlrpc.client

import pytest
from wordpress_xmlrpc import Client, WordPressPage, WordPressPost, WordPressTerm
from wordpress_xmlrpc.exceptions import InvalidCredentialsError
from wordpress_xmlrpc.methods import media, options, posts, taxonomies, users

from test_serve import served_clinic
from wpcompat.accounts import create_user
from wpcompat.db import tenant_scope
from wpcompat.models import CustomField, Post, Term

from .live import live_database, py310_collections  # noqa: F401


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    def add_writer(clinic):
        with tenant_scope(clinic.id):
            create_user("writer", "writer@clinic.test", "author", password="writer login password")

    with served_clinic("wpcompat_xmlrpc", "live-xmlrpc", tmp_path_factory.mktemp("serve"),
                       add_writer) as (clinic, base, database):
        yield clinic, f"{base}/xmlrpc.php", database


@pytest.fixture(scope="module")
def wp(live):
    clinic, url, _database = live
    return Client(url, clinic.users["administrator"].login, clinic.passwords["administrator"])


def test_python_wordpress_xmlrpc_manages_posts_with_terms_and_custom_fields(live, wp):
    clinic, _url, _database = live
    listed = wp.call(posts.GetPosts({"number": 20}))
    assert "Como medir a pressão arterial em casa" in [post.title for post in listed]
    category = next(term for term in wp.call(taxonomies.GetTerms("category")) if term.name == "Pediatria")
    post = WordPressPost()
    post.title, post.content, post.post_status = "Live XML-RPC", "<p>corpo</p>", "publish"
    post.terms = [category]
    post.terms_names = {"post_tag": ["xmlrpc-live"]}
    post.custom_fields = [{"key": "origin", "value": "python-wordpress-xmlrpc"}]
    post_id = wp.call(posts.NewPost(post))
    fetched = wp.call(posts.GetPost(post_id))
    assert fetched.title == "Live XML-RPC" and fetched.post_status == "publish"
    assert sorted(term.name for term in fetched.terms) == ["Pediatria", "xmlrpc-live"]
    assert [(field["key"], field["value"]) for field in fetched.custom_fields] == [
        ("origin", "python-wordpress-xmlrpc")]
    assert isinstance(fetched.date, datetime.datetime)
    fetched.title = "Live XML-RPC, edited"
    assert wp.call(posts.EditPost(post_id, fetched)) is True
    assert wp.call(posts.GetPost(post_id)).title == "Live XML-RPC, edited"
    assert wp.call(posts.DeletePost(post_id)) is True
    with tenant_scope(clinic.id):
        row = Post.get(Post.wp_id == int(post_id))
        assert row.status == "trash" and row.title == "Live XML-RPC, edited"
        assert CustomField.select().where(CustomField.post == row.id, CustomField.meta_key == "origin").count() == 1


def test_python_wordpress_xmlrpc_manages_pages_and_terms(live, wp):
    clinic, _url, _database = live
    page = WordPressPage()
    page.title, page.content, page.post_status = "Página ao vivo", "Texto", "publish"
    page_id = wp.call(posts.NewPost(page))
    assert wp.call(posts.GetPost(page_id)).post_type == "page"
    assert wp.call(posts.DeletePost(page_id)) is True
    term = WordPressTerm()
    term.taxonomy, term.name = "category", "Ao vivo"
    term.id = wp.call(taxonomies.NewTerm(term))
    term.name = "Ao vivo, editada"
    assert wp.call(taxonomies.EditTerm(term.id, term)) is True
    assert wp.call(taxonomies.GetTerm("category", term.id)).name == "Ao vivo, editada"
    assert wp.call(taxonomies.DeleteTerm("category", term.id)) is True
    with tenant_scope(clinic.id):
        assert not Term.select().where(Term.wp_id == int(term.id)).exists()


def test_python_wordpress_xmlrpc_reads_users_options_and_post_types(live, wp):
    assert sorted(user.username for user in wp.call(users.GetUsers())) == [
        "admin", "author", "contributor", "editor", "subscriber", "writer"]
    assert wp.call(users.GetProfile()).roles == ["administrator"]
    assert [blog.name for blog in wp.call(users.GetUsersBlogs())] == ["Clinic live-xmlrpc"]
    names = {option.name for option in wp.call(options.GetOptions([]))}
    assert {"blog_title", "time_zone", "software_version"} <= names
    types = wp.call(posts.GetPostTypes())                      # a dict: name → WordPressPostType
    assert set(types) == {"post", "page", "attachment"} and types["page"].hierarchical is True
    assert wp.call(posts.GetPostStatusList())["publish"] == "Published"


def test_python_wordpress_xmlrpc_uploads_a_file_that_is_then_served(live, wp):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, "PNG")
    uploaded = wp.call(media.UploadFile({"name": "raio-x-demo.png", "type": "image/png",
                                         "bits": xmlrpc.client.Binary(buffer.getvalue())}))
    assert uploaded["type"] == "image/png" and uploaded["file"].endswith(".png")
    with urllib.request.urlopen(uploaded["url"], timeout=10) as response:
        assert response.status == 200 and response.read() == buffer.getvalue()
    item = wp.call(media.GetMediaItem(uploaded["id"]))
    assert item.link == uploaded["url"] and item.metadata["width"] == 640
    assert "thumbnail" in item.metadata["sizes"]


def test_upload_of_bytes_that_are_no_image_is_refused(wp):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        wp.call(media.UploadFile({"name": "x.png", "type": "image/png", "bits": xmlrpc.client.Binary(b"\x89PNG")}))
    assert caught.value.faultCode == 500           # a truncated PNG: nothing is stored (uploads.py)


def test_login_password_and_faults_over_real_http(live):
    clinic, url, _database = live
    writer = Client(url, "writer@clinic.test", "writer login password")
    assert writer.call(users.GetProfile()).username == "writer"
    with pytest.raises(InvalidCredentialsError):
        Client(url, "writer", "wrong").call(posts.GetPosts())
    proxy = xmlrpc.client.ServerProxy(url)
    with pytest.raises(xmlrpc.client.Fault) as caught:
        proxy.no.such.method()
    assert caught.value.faultCode == -32601
    with pytest.raises(xmlrpc.client.Fault) as caught:
        proxy.wp.getPost(1, clinic.users["administrator"].login, clinic.passwords["administrator"], 999999)
    assert (caught.value.faultCode, caught.value.faultString) == (404, "Invalid post ID.")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 405 and refused.value.headers["Allow"] == "POST"
    request = urllib.request.Request(url, data=b"<methodCall>", headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        with pytest.raises(xmlrpc.client.Fault) as caught:
            xmlrpc.client.loads(response.read())
    assert caught.value.faultCode == -32700
