"""XML-RPC reads replayed to the same caller (wpcompat/response_cache.py): only the exact call of the same
credentials from the same address, fresh after any change, refused once the credentials stop working, audited
as the caller each time, never for PHI, faults, writes or multicall."""

import xmlrpc.client

from wpcompat import passwords
from wpcompat.accounts import create_app_password, create_user
from wpcompat.db import tenant_scope
from wpcompat.models import AcfField, AcfFieldGroup, AppPassword, CustomField, Post, User, WorkflowState
from wpcompat.wp_ids import next_wp_id
from wpcompat.xmlrpc import auth as xmlrpc_auth

from xmlrpc_api.helpers import XML, decode, fresh_login_counters  # noqa: F401  (autouse)

BAD_LOGIN = (403, "Incorrect username or password.")


def call(client, site, name, *params, remote_addr=None):
    """(value or None, fault or None, falcon Result) of one call sent as xmlrpc.client writes it."""
    body = xmlrpc.client.dumps(params, name, allow_none=True)
    result = client.simulate_post("/xmlrpc.php", body=body, headers={"Host": site.host, **XML},
                                  remote_addr=remote_addr)
    value, fault = decode(result)
    return value, fault, result


def get_posts(client, site, password=None, **kwargs):
    return call(client, site, "wp.getPosts", 1, site.admin.login, password or site.admin_password,
                {"number": 10}, ["post_title"], **kwargs)


def titles(value):
    return [post["post_title"] for post in value]


def rows_of(audit_rows, site, result):
    request_id = result.headers["x-request-id"]
    return [row for row in audit_rows(site) if row.metadata["request_id"] == request_id]


def test_a_repeated_read_is_replayed_to_its_caller_and_audited_as_them(client, site_a, audit_rows, door):
    answers = [get_posts(client, site_a) for _ in range(3)]
    assert door == [False, True, True]
    assert [titles(value) for value, _fault, _result in answers] == [["Secret of a"]] * 3
    assert answers[1][2].content == answers[0][2].content == answers[2][2].content
    assert answers[1][2].headers["content-type"] == answers[0][2].headers["content-type"]
    rows = [rows_of(audit_rows, site_a, result) for _value, _fault, result in answers]
    assert [len(found) for found in rows] == [1, 1, 1]
    first, *hits = [found[0] for found in rows]
    assert "served_from" not in first.metadata
    for row in hits:
        assert row.metadata["served_from"] == "cache"
        assert row.user_id == site_a.admin.id and row.trust_score == first.trust_score
        assert row.policy_decision == "allow" and row.operation == "read"
        assert row.metadata["event"] == "xmlrpc:wp.getPosts"
        assert row.metadata["ids"] == first.metadata["ids"] == [site_a.post.wp_id]


def test_a_change_anywhere_shows_on_the_next_call(client, site_a, door):
    get_posts(client, site_a)
    with tenant_scope(site_a.id):                   # the CMS writing its table itself
        Post.update(title="Renomeado pelo CMS").where(Post.id == site_a.post.id).execute()
    assert titles(get_posts(client, site_a)[0]) == ["Renomeado pelo CMS"]
    value, fault, _ = call(client, site_a, "wp.newPost", 1, site_a.admin.login, site_a.admin_password,
                           {"post_title": "Nova diretriz", "post_status": "publish"})
    assert fault is None
    assert "Nova diretriz" in titles(get_posts(client, site_a)[0])
    assert door == [False, False, False, False]


def test_a_revoked_application_password_stops_at_once(client, site_a, audit_rows, door):
    get_posts(client, site_a)
    assert get_posts(client, site_a)[1] is None and door[-1] is True
    with tenant_scope(site_a.id):                   # app_passwords do not move the content generation
        AppPassword.delete().where(AppPassword.user == site_a.admin.id).execute()
    value, fault, result = get_posts(client, site_a)
    assert value is None and fault == BAD_LOGIN and door[-1] is False
    assert sorted(row.metadata["event"] for row in rows_of(audit_rows, site_a, result)) == [
        "auth:login:failure", "xmlrpc:wp.getPosts"]


def test_a_new_login_password_or_role_signs_in_afresh(client, site_a, door):
    with tenant_scope(site_a.id):
        User.update(password_hash=passwords.hash_password("senha antiga de login")).where(
            User.id == site_a.admin.id).execute()
    for _ in range(2):
        assert titles(get_posts(client, site_a, "senha antiga de login")[0]) == ["Secret of a"]
    assert door == [False, True]
    with tenant_scope(site_a.id):
        User.update(password_hash=passwords.hash_password("senha nova de login")).where(
            User.id == site_a.admin.id).execute()
    assert get_posts(client, site_a, "senha antiga de login")[1] == BAD_LOGIN
    assert titles(get_posts(client, site_a, "senha nova de login")[0]) == ["Secret of a"]
    get_posts(client, site_a, "senha nova de login")
    assert door[-1] is True
    with tenant_scope(site_a.id):
        User.update(role="subscriber").where(User.id == site_a.admin.id).execute()
    _value, fault, _ = get_posts(client, site_a, "senha nova de login")
    assert fault == (401, "Sorry, you are not allowed to edit posts in this post type.")
    assert door[-1] is False


def test_a_locked_out_login_gets_its_429_even_for_a_kept_call(client, site_a, door):
    get_posts(client, site_a)
    get_posts(client, site_a)
    assert door == [False, True]
    for _ in range(xmlrpc_auth.MAX_FAILURES_PER_LOGIN):
        assert get_posts(client, site_a, "wrong")[1] == BAD_LOGIN
    value, fault, _ = get_posts(client, site_a)
    assert value is None and fault == (429, xmlrpc_auth.RATE_LIMITED) and door[-1] is False


def test_another_caller_address_or_site_never_gets_the_answer(client, site_a, site_b, door):
    get_posts(client, site_a, remote_addr="203.0.113.10")
    get_posts(client, site_a, remote_addr="203.0.113.10")
    assert door == [False, True]
    assert titles(get_posts(client, site_a, remote_addr="203.0.113.11")[0]) == ["Secret of a"]
    assert door[-1] is False                        # same call from another address: its own entry
    author = call(client, site_a, "wp.getPosts", 1, site_a.author.login, "no password", {"number": 10})
    assert author[1] == BAD_LOGIN and door[-1] is False
    body = xmlrpc.client.dumps((1, site_a.admin.login, site_a.admin_password, {"number": 10}, ["post_title"]),
                               "wp.getPosts")
    elsewhere = client.simulate_post("/xmlrpc.php", body=body, headers={"Host": site_b.host, **XML},
                                     remote_addr="203.0.113.10")
    assert decode(elsewhere)[1] == BAD_LOGIN and door[-1] is False   # site_a's admin is nobody on site_b


def test_answers_holding_phi_are_never_kept(client, site_a, audit_rows, door):
    with tenant_scope(site_a.id):
        CustomField.create(post=site_a.post.id, meta_key="diagnostico", meta_value="CID J45", is_phi=True)
    for _ in range(2):
        value, _fault, _ = call(client, site_a, "wp.getPost", 1, site_a.admin.login, site_a.admin_password,
                                site_a.post.wp_id)
        assert {"key": "diagnostico", "value": "CID J45"} in [
            {"key": field["key"], "value": field["value"]} for field in value["custom_fields"]]
    with tenant_scope(site_a.id):
        Post.update(compliance_level="phi").where(Post.id == site_a.post.id).execute()
    for _ in range(2):
        assert titles(get_posts(client, site_a)[0]) == ["Secret of a"]
    assert door == [False, False, False, False]
    assert not [row for row in audit_rows(site_a) if row.metadata.get("served_from")]


def test_faults_writes_and_multicall_are_never_replayed(client, site_a, door):
    for _ in range(2):
        assert get_posts(client, site_a, "wrong")[1] == BAD_LOGIN
    new_post = (1, site_a.admin.login, site_a.admin_password, {"post_title": "Duas vezes", "post_status": "publish"})
    ids = {call(client, site_a, "wp.newPost", *new_post)[0] for _ in range(2)}
    assert len(ids) == 2
    calls = [{"methodName": "wp.getPosts", "params": [1, site_a.admin.login, site_a.admin_password]}]
    for _ in range(2):
        value, fault, _ = call(client, site_a, "system.multicall", calls)
        assert fault is None and len(value[0][0]) == 3
    assert not any(door)


def test_an_answer_is_not_kept_when_the_lgpd_stage_found_patient_data(client, site_a, door):
    with tenant_scope(site_a.id):
        WorkflowState.create(content_id=site_a.post.id, current_stage="S.2.1",
                             compliance_validations={"lgpd": {"score": 80, "contains_phi": True}})
    for _ in range(2):
        assert titles(get_posts(client, site_a)[0]) == ["Secret of a"]
    assert door == [False, False]


def test_an_answer_is_not_kept_when_a_value_belongs_to_an_acf_field_defined_as_phi(client, site_a, door):
    """A value written without the row flag (by XML-RPC, or before the field was marked) is still PHI."""
    with tenant_scope(site_a.id):
        group = AcfFieldGroup.create(key="group_prontuario", title="Prontuário")
        AcfField.create(key="field_diagnostico", group=group.id, name="diagnostico", label="Diagnóstico",
                        type="text", is_phi=True)
        CustomField.create(post=site_a.post.id, meta_key="diagnostico", meta_value="CID J45", is_phi=False)
    for _ in range(2):
        call(client, site_a, "wp.getPost", 1, site_a.admin.login, site_a.admin_password, site_a.post.wp_id)
    assert door == [False, False]


def test_a_page_under_a_phi_page_is_not_kept_and_hides_that_title_from_who_may_not_see_it(client, site_a, door):
    with tenant_scope(site_a.id):
        editor = create_user(f"editor-{site_a.host}", f"editor@{site_a.host}", "editor")
        _row, editor_password = create_app_password(editor, "tests")
        parent = Post.create(title="Paciente Maria Silva, 62 anos", slug="relato", status="private",
                             post_type="page", compliance_level="phi", author=site_a.admin.id,
                             wp_id=next_wp_id("post"))
        child = Post.create(title="Orientações", slug="orientacoes", status="publish", post_type="page",
                            parent=parent.id, author=site_a.admin.id, wp_id=next_wp_id("post"))
    for _ in range(2):
        page = call(client, site_a, "wp.getPage", 1, child.wp_id, site_a.admin.login, site_a.admin_password)[0]
        assert page["wp_page_parent_title"] == "Paciente Maria Silva, 62 anos"
    assert door == [False, False]
    page = call(client, site_a, "wp.getPage", 1, child.wp_id, editor.login, editor_password)[0]
    assert page["title"] == "Orientações" and page["wp_page_parent_title"] == ""


def test_basic_credentials_an_origin_or_a_query_string_take_the_call_through_the_chain(client, site_a, audit_rows,
                                                                                       door):
    body = xmlrpc.client.dumps((1, site_a.admin.login, site_a.admin_password, {"number": 10}, ["post_title"]),
                               "wp.getPosts")
    get_posts(client, site_a)
    assert get_posts(client, site_a)[1] is None and door[-1] is True
    wrong_basic = client.simulate_post("/xmlrpc.php", body=body, headers={
        "Host": site_a.host, **XML, "Authorization": "Basic " + "bm9ib2R5Ondyb25n"})   # nobody:wrong
    assert wrong_basic.status_code == 401 and door[-1] is False
    assert "auth:login:failure" in [row.metadata["event"] for row in rows_of(audit_rows, site_a, wrong_basic)]
    for _ in range(2):
        cors = client.simulate_post("/xmlrpc.php", body=body, params={"rest_route": "x"},
                                    headers={"Host": site_a.host, **XML, "Origin": "https://evil.example"})
        assert decode(cors)[1] is None and door[-1] is False
    plain = get_posts(client, site_a)[2]
    assert door[-1] is True and "access-control-allow-origin" not in plain.headers


def test_a_failing_fast_path_leaves_the_answer_to_the_app(client, site_a):
    def broken(env, start_response, body):
        raise RuntimeError("the database went away")

    client.app.fast_path = broken
    assert titles(get_posts(client, site_a)[0]) == ["Secret of a"]
    assert client.simulate_get("/wp-json/wp/v2/posts", host=site_a.host).status_code == 200


def test_a_value_under_an_acf_phi_field_is_hidden_from_who_may_not_read_phi_even_unflagged(client, site_a):
    """Fresh answers too: the field's definition says PHI, whatever the row says; such keys cannot be added
    by that reader either."""
    with tenant_scope(site_a.id):
        editor = create_user(f"editor-{site_a.host}", f"editor@{site_a.host}", "editor")
        _row, editor_password = create_app_password(editor, "tests")
        group = AcfFieldGroup.create(key="group_prontuario", title="Prontuário")
        AcfField.create(key="field_diagnostico", group=group.id, name="diagnostico", label="Diagnóstico",
                        type="text", is_phi=True)
        CustomField.create(post=site_a.post.id, meta_key="diagnostico", meta_value="CID J45", is_phi=False)
        CustomField.create(post=site_a.post.id, meta_key="especialidade", meta_value="Pneumologia")

    def keys(login, password):
        value = call(client, site_a, "wp.getPost", 1, login, password, site_a.post.wp_id)[0]
        return {field["key"] for field in value["custom_fields"]}

    assert {"diagnostico", "especialidade"} <= keys(site_a.admin.login, site_a.admin_password)
    seen = keys(editor.login, editor_password)
    assert "especialidade" in seen and "diagnostico" not in seen
    edited = call(client, site_a, "wp.editPost", 1, editor.login, editor_password, site_a.post.wp_id,
                  {"custom_fields": [{"key": "diagnostico_detalhe", "value": "asma grave"}]})
    assert edited[1] is None
    with tenant_scope(site_a.id):
        assert not CustomField.select().where(CustomField.meta_key == "diagnostico_detalhe").exists()
