"""Writing posts and pages for XML-RPC: _insert_post's rules on top of editing/posts.py.

XML-RPC checks (and words) things differently from REST, so the checks live here and
the data layer does the rest: editing.apply_fields, save_new, assign_terms, recount_terms.
"""

import datetime

from wpcompat import permissions
from wpcompat.auth import can
from wpcompat.editing import posts as editing
from wpcompat.editing import settings as site_settings
from wpcompat.editing import terms as term_editing
from wpcompat.errors import WPError
from wpcompat.models import Media, Term
from wpcompat.queries import media as media_queries
from wpcompat.queries import posts as post_queries
from wpcompat.queries import users as user_queries
from wpcompat.schemas.posts import FORMATS
from wpcompat.xmlrpc import custom_fields
from wpcompat.xmlrpc.call import absint, php_int, struct, text, truthy
from wpcompat.xmlrpc.faults import Fault

POST_TYPES = ("post", "page")
KNOWN_STATUSES = ("publish", "future", "draft", "pending", "private")
TAXONOMIES = {"post": ("category", "post_tag", "post_format"), "page": ()}


def noun(post_type):
    return "pages" if post_type == "page" else "posts"


def visible_post(call, wp_id, post_type=None):
    """The post with this id in the tenant, if it exists for the caller (compliance level)."""
    post = post_queries.find(php_int(wp_id), post_type)
    if post is None or not permissions.may_see_level(call.user, post.compliance_level):
        return None
    return post


def default_category(call):
    """The tenant's default category (its wp_id), for posts saved without one."""
    return site_settings.load(call.site.id).default_category or call.site.options.get("default_category")


def as_date(value):
    """A date argument: a datetime from <dateTime.iso8601>, or a 'Y-m-d H:i:s' string (wp.newPost)."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.datetime.fromisoformat(value.strip().replace(" ", "T"))
        except ValueError:
            return None
    return None


def date_args(local_value, gmt_value):
    """apply_fields' date/date_gmt (ISO 8601 strings, as REST passes them) from a local and a GMT date.
    The GMT date wins, and its zone is forced to UTC (_insert_post's "slap that Z on there")."""
    gmt = as_date(gmt_value)
    if gmt is not None:
        gmt = gmt.replace(tzinfo=datetime.timezone.utc) if gmt.tzinfo is None else gmt.astimezone(datetime.timezone.utc)
        return {"date_gmt": gmt.replace(microsecond=0).isoformat()}
    local = as_date(local_value)
    return {"date": local.replace(microsecond=0).isoformat()} if local is not None else {}


def check_status(user, post_type, status):
    """_insert_post's status switch: returns the status to store, or raises 401."""
    status = text(status) or "draft"
    if status == "private" and not permissions.can_publish(user, post_type):
        raise Fault(401, "Sorry, you are not allowed to create private posts in this post type.")
    if status in ("publish", "future") and not permissions.can_publish(user, post_type):
        raise Fault(401, "Sorry, you are not allowed to publish posts in this post type.")
    return status if status in KNOWN_STATUSES else "draft"


def check_author(user, post_type, wp_id, message):
    """Another author needs edit_others_*; an unknown one is 404."""
    wp_id = absint(wp_id)
    if not wp_id or wp_id == user.wp_id:
        return user.wp_id
    if not permissions.can_edit_others(user, post_type):
        raise Fault(401, message)
    if user_queries.find(wp_id) is None:
        raise Fault(404, "Invalid author ID.")
    return wp_id


def check_thumbnail(call, value):
    """post_thumbnail: an empty value removes it; an unknown attachment is 404."""
    if not value:
        return None
    media = media_queries.visible(Media.select(Media.wp_id).where(Media.wp_id == absint(value)), call.user).first()
    if media is None:                                   # unknown, or not this caller's to see (PHI, a hidden post's)
        raise Fault(404, "Invalid attachment ID.")
    return media.wp_id


def toggle_sticky(user, status, password, sticky_given, sticky):
    """_toggle_sticky: the value to store, or None to leave it."""
    if status == "private" or password:
        if sticky_given and truthy(sticky):
            raise Fault(401, "Sorry, you cannot stick a private post.")
        return False
    if sticky_given:
        if not permissions.can_edit_others(user, "post"):
            raise Fault(401, "Sorry, you are not allowed to make posts sticky.")
        return truthy(sticky)
    return None


# --- terms ----------------------------------------------------------------------------------

def _check_taxonomy(user, post_type, taxonomy):
    if taxonomy not in TAXONOMIES.get(post_type, ()):
        raise Fault(401, "Sorry, one of the given taxonomies is not supported by the post type.")
    if not can(user, "edit_posts"):
        raise Fault(401, "Sorry, you are not allowed to assign a term to one of the given taxonomies.")


def term_ids(call, post_type, terms, terms_names):
    """{taxonomy: [term wp_id, ...]} from `terms` (ids) and `terms_names` (names; new ones created)."""
    chosen = {}
    for taxonomy, ids in struct(terms).items():
        _check_taxonomy(call.user, post_type, taxonomy)
        chosen[taxonomy] = []
        for wp_id in ids if isinstance(ids, list) else [ids]:
            if not Term.select().where(Term.taxonomy == taxonomy, Term.wp_id == php_int(wp_id)).exists():
                raise Fault(403, "Invalid term ID.")
            chosen[taxonomy].append(php_int(wp_id))
    for taxonomy, names in struct(terms_names).items():
        _check_taxonomy(call.user, post_type, taxonomy)
        for name in names if isinstance(names, list) else [names]:
            chosen.setdefault(taxonomy, []).append(_term_by_name(call, taxonomy, text(name)))
    return chosen


def _term_by_name(call, taxonomy, name):
    matches = list(Term.select(Term.wp_id).where(Term.taxonomy == taxonomy, Term.name == name).limit(2))
    if taxonomy == "category" and len(matches) > 1:
        raise Fault(401, "Ambiguous term name used in a hierarchical taxonomy. Please use term ID instead.")
    if matches:
        return matches[0].wp_id
    if not can(call.user, "manage_categories"):
        raise Fault(401, "Sorry, you are not allowed to add a term to one of the given taxonomies.")
    return create_term(taxonomy, name)


def create_term(taxonomy, name):
    try:
        return term_editing.create_term(taxonomy, {"name": name}, None).wp_id
    except term_editing.TermExists as exists:
        return exists.term_id
    except WPError as error:
        raise Fault(500, error.message) from None


def tag_ids_by_names(names):
    """wp_set_post_tags: tags by name, created when missing (no capability asked, as WordPress)."""
    ids = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        found = Term.select(Term.wp_id).where(Term.taxonomy == "post_tag", Term.name == name).first()
        ids.append(found.wp_id if found is not None else create_term("post_tag", name))
    return list(dict.fromkeys(ids))


# --- saving -----------------------------------------------------------------------------------

def save(call, post, args, creating, terms=None, fields=None, enclosure=None):
    """apply_fields + insert/update + terms + custom fields + counts. `terms`: {taxonomy: [wp_id]}."""
    before = set() if creating else set(editing.terms_of(post))
    if not creating:
        editing.untrash_if_needed(post, args)
    try:
        editing.apply_fields(post, args, call.user, call.zone, creating=creating, home=call.home)
    except WPError as error:
        raise Fault(error.status if error.status != 403 else 401, error.message) from None
    if creating:
        editing.save_new(post)
    touched = set()
    if post.post_type == "post":
        wanted = {}
        if terms is not None and "category" in terms:
            wanted["categories"] = terms["category"]
        if terms is not None and "post_tag" in terms:
            wanted["tags"] = terms["post_tag"]
        touched = editing.assign_terms(post, wanted, default_category(call) if creating else None)
    editing.save_existing(post)                      # a slug taken meanwhile: next suffix
    if fields is not None:
        custom_fields.apply(post, fields, call.user)
    if not creating:
        editing.after_update(post, call.user)
    add_enclosure(post, enclosure)
    editing.recount_terms(touched | before)
    return post


def add_enclosure(post, enclosure):
    """add_enclosure_if_new: an `enclosure` meta "url\\nlength\\ntype" unless that URL is there."""
    enclosure = struct(enclosure)
    url = text(enclosure.get("url")).strip()
    if not url:
        return
    current = custom_fields.first_value(list(post.custom_fields), "enclosure") or ""
    if current.split("\n", 1)[0].strip() == url:
        return
    custom_fields.set_single(post, "enclosure", f"{url}\n{php_int(enclosure.get('length'))}\n"
                                                f"{text(enclosure.get('type'))}\n")


def insert_post(call, content, existing=None):
    """_insert_post for wp.newPost / wp.editPost. Returns the saved post."""
    user, content = call.user, struct(content)
    post_type = text(content.get("post_type")) or (existing.post_type if existing is not None else "post")
    if post_type not in POST_TYPES:
        raise Fault(403, "Invalid post type.")
    if existing is not None:
        if not permissions.can_edit_post(user, existing):
            raise Fault(401, "Sorry, you are not allowed to edit this post.")
        if post_type != existing.post_type:
            raise Fault(401, "The post type may not be changed.")
    elif not permissions.can_create(user, post_type):
        raise Fault(401, "Sorry, you are not allowed to post on this site.")
    status_given = "post_status" in content
    status = check_status(user, post_type, content["post_status"] if status_given
                          else (existing.status if existing is not None else "draft"))
    password = text(content.get("post_password")) if "post_password" in content else \
        (existing.password if existing is not None else "")
    if password and not permissions.can_publish(user, post_type):
        raise Fault(401, "Sorry, you are not allowed to create password protected posts in this post type.")
    author = check_author(user, post_type, content.get("post_author") or
                          (getattr(existing, "author_wp_id", None) if existing is not None else None),
                          "Sorry, you are not allowed to create posts as this user.")
    args = _insert_args(content, status if status_given or existing is None else None, author, existing)
    if post_type == "post":
        sticky = toggle_sticky(user, status, password, "sticky" in content, content.get("sticky"))
        if sticky is not None:
            args["sticky"] = sticky
    if "post_thumbnail" in content:
        args["featured_media"] = check_thumbnail(call, content.get("post_thumbnail"))
    terms = None
    if "terms" in content or "terms_names" in content:
        terms = term_ids(call, post_type, content.get("terms"), content.get("terms_names"))
    post = existing if existing is not None else editing.new_post(post_type, user)
    return save(call, post, args, existing is None, terms, content.get("custom_fields"), content.get("enclosure"))


def _insert_args(content, status, author, existing):
    args = {}
    for source, target in (("post_title", "title"), ("post_content", "content"), ("post_excerpt", "excerpt"),
                           ("post_password", "password"), ("post_name", "slug")):
        if source in content:
            args[target] = text(content[source])
    for name in ("comment_status", "ping_status"):
        if text(content.get(name)) in ("open", "closed"):
            args[name] = content[name]
    if status is not None:
        args["status"] = status
    if existing is None or "post_author" in content:
        args["author"] = author
    if "post_parent" in content:
        args["parent"] = absint(content["post_parent"])
    if "post_format" in content:
        fmt = text(content["post_format"]).strip().lower()
        args["format"] = fmt if fmt in FORMATS else "standard"
    args.update(date_args(content.get("post_date"), content.get("post_date_gmt")))
    return args
