"""WordPress's registered post types, taxonomies and post statuses, as plain data (WordPress 6.1).

What `register_post_type()`, `register_taxonomy()` and `register_post_status()` hold in
WordPress, for every part of wpcompat that needs it: the REST controllers of /types,
/taxonomies and /statuses, /search, XML-RPC's wp.getPostTypes and friends.

wpcompat serves the post types `post`, `page`, `attachment` and `wp_block` (reusable
blocks). WordPress 6.1 also lists nav_menu_item, wp_template, wp_template_part and
wp_navigation; their routes do not exist here, so they are not listed. Likewise only the taxonomies category and post_tag are REST
taxonomies; post_format exists (formats are a column of posts) but is not in REST.
"""

import dataclasses
from types import MappingProxyType

NAMESPACE = "wp/v2"


def _frozen(mapping):
    return MappingProxyType(dict(mapping))


# --- post types --------------------------------------------------------------------------------

def post_type_labels(singular, plural, parent_item_colon=None, **overrides):
    """get_post_type_labels(): WordPress's default labels for a post-like type, in its order."""
    one, many = singular.lower(), plural.lower()
    labels = {
        "name": plural, "singular_name": singular, "add_new": "Add New", "add_new_item": f"Add New {singular}",
        "edit_item": f"Edit {singular}", "new_item": f"New {singular}", "view_item": f"View {singular}",
        "view_items": f"View {plural}", "search_items": f"Search {plural}", "not_found": f"No {many} found.",
        "not_found_in_trash": f"No {many} found in Trash.", "parent_item_colon": parent_item_colon,
        "all_items": f"All {plural}", "archives": f"{singular} Archives", "attributes": f"{singular} Attributes",
        "insert_into_item": f"Insert into {one}", "uploaded_to_this_item": f"Uploaded to this {one}",
        "featured_image": "Featured image", "set_featured_image": "Set featured image",
        "remove_featured_image": "Remove featured image", "use_featured_image": "Use as featured image",
        "filter_items_list": f"Filter {many} list", "filter_by_date": "Filter by date",
        "items_list_navigation": f"{plural} list navigation", "items_list": f"{plural} list",
        "item_published": f"{singular} published.", "item_published_privately": f"{singular} published privately.",
        "item_reverted_to_draft": f"{singular} reverted to draft.", "item_scheduled": f"{singular} scheduled.",
        "item_updated": f"{singular} updated.", "item_link": f"{singular} Link",
        "item_link_description": f"A link to a {one}.", "menu_name": plural, "name_admin_bar": singular,
    }
    unknown = set(overrides) - set(labels)
    assert not unknown, unknown
    labels.update(overrides)
    return _frozen(labels)


def post_type_capabilities(singular="post", plural="posts", create_posts=None, **overrides):
    """The `cap` object of a post type (capability_type post or page), in WordPress's order."""
    caps = {
        "edit_post": f"edit_{singular}", "read_post": f"read_{singular}", "delete_post": f"delete_{singular}",
        "edit_posts": f"edit_{plural}", "edit_others_posts": f"edit_others_{plural}",
        "delete_posts": f"delete_{plural}", "publish_posts": f"publish_{plural}",
        "read_private_posts": f"read_private_{plural}", "read": "read",
        "delete_private_posts": f"delete_private_{plural}", "delete_published_posts": f"delete_published_{plural}",
        "delete_others_posts": f"delete_others_{plural}", "edit_private_posts": f"edit_private_{plural}",
        "edit_published_posts": f"edit_published_{plural}", "create_posts": create_posts or f"edit_{plural}",
    }
    caps.update(overrides)
    return _frozen(caps)


@dataclasses.dataclass(frozen=True)
class PostType:
    name: str
    label: str
    labels: MappingProxyType
    capabilities: MappingProxyType       # cap->name: the capability WordPress checks
    supports: tuple                      # post type features, in registration order
    taxonomies: tuple                    # every taxonomy of the type (REST lists rest_taxonomies())
    rest_base: str
    hierarchical: bool = False
    public: bool = True
    viewable: bool = True                # is_post_type_viewable()
    show_ui: bool = True
    show_in_nav_menus: bool = True
    has_archive: bool = False
    icon: str = None                     # menu_icon
    description: str = ""
    rest_namespace: str = NAMESPACE
    builtin: bool = True
    map_meta_cap: bool = True
    show_in_rest: bool = True
    served: bool = True                  # wpcompat has its routes

    def supports_feature(self, feature):
        return feature in self.supports


POST_TYPES = {pt.name: pt for pt in (
    PostType("post", "Posts", post_type_labels("Post", "Posts"), post_type_capabilities(),
             ("title", "editor", "author", "thumbnail", "excerpt", "trackbacks", "custom-fields", "comments",
              "revisions", "post-formats"),
             ("category", "post_tag", "post_format"), "posts", icon="dashicons-admin-post"),
    PostType("page", "Pages", post_type_labels("Page", "Pages", "Parent Page:"),
             post_type_capabilities("page", "pages"),
             ("title", "editor", "author", "thumbnail", "page-attributes", "custom-fields", "comments", "revisions"),
             (), "pages", hierarchical=True, icon="dashicons-admin-page"),
    PostType("attachment", "Media",
             post_type_labels("Post", "Posts", name="Media", singular_name="Media", edit_item="Edit Media",
                              view_item="View Attachment Page", all_items="Media", archives="Media",
                              attributes="Attachment Attributes", menu_name="Media", name_admin_bar="Media"),
             post_type_capabilities(create_posts="upload_files"), ("title", "author", "comments"), (), "media",
             show_in_nav_menus=False, icon="dashicons-admin-media"),
    PostType("wp_block", "Reusable blocks",
             post_type_labels(
                 "Post", "Posts", name="Reusable blocks", singular_name="Reusable block",
                 add_new_item="Add new Reusable block", edit_item="Edit Reusable block",
                 new_item="New Reusable block", view_item="View Reusable block",
                 search_items="Search Reusable blocks", not_found="No reusable blocks found.",
                 not_found_in_trash="No reusable blocks found in Trash.", all_items="All Reusable blocks",
                 archives="All Reusable blocks", filter_items_list="Filter reusable blocks list",
                 items_list_navigation="Reusable blocks list navigation", items_list="Reusable blocks list",
                 item_published="Reusable block published.",
                 item_published_privately="Reusable block published privately.",
                 item_reverted_to_draft="Reusable block reverted to draft.",
                 item_scheduled="Reusable block scheduled.", item_updated="Reusable block updated.",
                 menu_name="Reusable blocks", name_admin_bar="Reusable block"),
             post_type_capabilities("block", "blocks", create_posts="publish_posts", edit_posts="edit_posts",
                                    edit_others_posts="edit_others_posts", read="edit_posts",
                                    delete_published_posts="delete_published_posts",
                                    delete_others_posts="delete_others_posts",
                                    edit_published_posts="edit_published_posts"),
             ("title", "editor", "revisions"), (), "blocks", public=False, viewable=False,
             show_in_nav_menus=False),
)}


def post_type(name, served_only=True):
    """The post type called `name`, or None (also for types wpcompat does not serve)."""
    found = POST_TYPES.get(name)
    return found if found is not None and (found.served or not served_only) else None


def rest_post_types():
    """The post types /wp/v2/types lists, in WordPress's order."""
    return [pt for pt in POST_TYPES.values() if pt.served and pt.show_in_rest]


# --- taxonomies --------------------------------------------------------------------------------

_FIELD_DESCRIPTIONS = {
    "name_field_description": "The name is how it appears on your site.",
    "slug_field_description": "The &#8220;slug&#8221; is the URL-friendly version of the name. It is usually all "
                              "lowercase and contains only letters, numbers, and hyphens.",
}
_DESC_FIELD = "The description is not prominent by default; however, some themes may show it."


def taxonomy_labels(singular, plural, hierarchical, name_admin_bar, **overrides):
    """get_taxonomy_labels(): WordPress's labels for a category-like or tag-like taxonomy."""
    one, many = singular.lower(), plural.lower()
    labels = {
        "name": plural, "singular_name": singular, "search_items": f"Search {plural}",
        "popular_items": "" if hierarchical else f"Popular {plural}", "all_items": f"All {plural}",
        "parent_item": f"Parent {singular}" if hierarchical else "",
        "parent_item_colon": f"Parent {singular}:" if hierarchical else "", **_FIELD_DESCRIPTIONS,
        "parent_field_description": "Assign a parent term to create a hierarchy. The term Jazz, for example, "
                                    "would be the parent of Bebop and Big Band." if hierarchical else "",
        "desc_field_description": _DESC_FIELD,
        "edit_item": f"Edit {singular}", "view_item": f"View {singular}", "update_item": f"Update {singular}",
        "add_new_item": f"Add New {singular}", "new_item_name": f"New {singular} Name",
        "separate_items_with_commas": "" if hierarchical else f"Separate {many} with commas",
        "add_or_remove_items": "" if hierarchical else f"Add or remove {many}",
        "choose_from_most_used": "" if hierarchical else f"Choose from the most used {many}",
        "not_found": f"No {many} found.", "no_terms": f"No {many}",
        "filter_by_item": f"Filter by {one}" if hierarchical else "",
        "items_list_navigation": f"{plural} list navigation", "items_list": f"{plural} list",
        "most_used": "Most Used", "back_to_items": f"&larr; Go to {plural}", "item_link": f"{singular} Link",
        "item_link_description": f"A link to a {one}.", "menu_name": plural, "name_admin_bar": name_admin_bar,
    }
    labels.update(overrides)
    return _frozen(labels)


def taxonomy_capabilities(noun):
    return _frozen({"manage_terms": f"manage_{noun}", "edit_terms": f"edit_{noun}",
                    "delete_terms": f"delete_{noun}", "assign_terms": f"assign_{noun}"})


# What the meta capabilities of category and post_tag map to (map_meta_cap), for every built-in taxonomy.
TERM_PRIMITIVE_CAPS = _frozen({"manage_terms": "manage_categories", "edit_terms": "manage_categories",
                               "delete_terms": "manage_categories", "assign_terms": "edit_posts"})


@dataclasses.dataclass(frozen=True)
class Taxonomy:
    name: str
    label: str
    labels: MappingProxyType
    capabilities: MappingProxyType       # cap->name: the meta capability WordPress checks
    object_types: tuple
    rest_base: str
    hierarchical: bool = False
    public: bool = True
    publicly_queryable: bool = True
    show_ui: bool = True
    show_admin_column: bool = True
    show_in_nav_menus: bool = True
    show_in_quick_edit: bool = True
    show_tagcloud: bool = True
    description: str = ""
    rest_namespace: str = NAMESPACE
    builtin: bool = True
    show_in_rest: bool = True
    archive_base: str = ""               # the permalink base of its archives (/category/…, /tag/…)
    primitive_caps: MappingProxyType = dataclasses.field(default_factory=lambda: TERM_PRIMITIVE_CAPS)

    def primitive(self, cap):
        """The primitive capability a user needs for `cap` ("assign_terms", "edit_terms", ...)."""
        return self.primitive_caps[cap]


TAXONOMIES = {tax.name: tax for tax in (
    Taxonomy("category", "Categories", taxonomy_labels("Category", "Categories", True, "category"),
             taxonomy_capabilities("categories"), ("post",), "categories", hierarchical=True,
             archive_base="category"),
    Taxonomy("post_tag", "Tags", taxonomy_labels("Tag", "Tags", False, "post_tag"),
             taxonomy_capabilities("post_tags"), ("post",), "tags", archive_base="tag"),
    Taxonomy("post_format", "Formats",
             taxonomy_labels("Tag", "Tags", False, "Format", name="Formats", singular_name="Format",
                             all_items="Formats", menu_name="Formats", archives="Formats"),
             TERM_PRIMITIVE_CAPS,
             ("post",), "post_format", show_ui=False, show_admin_column=False, show_in_nav_menus=False,
             show_in_quick_edit=False, show_tagcloud=False, show_in_rest=False, archive_base="type"),
)}


def taxonomy(name):
    return TAXONOMIES.get(name)


def rest_taxonomies(object_type=None):
    """The taxonomies in REST (of `object_type`'s object taxonomies when given), in WordPress's order."""
    if object_type is not None:
        found = POST_TYPES.get(object_type)
        names = found.taxonomies if found is not None else ()
        candidates = [TAXONOMIES[name] for name in names if name in TAXONOMIES]
    else:
        candidates = list(TAXONOMIES.values())
    return [tax for tax in candidates if tax.show_in_rest]


# --- post statuses -----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class PostStatus:
    name: str
    label: str
    public: bool = False
    private: bool = False
    protected: bool = False
    internal: bool = False
    publicly_queryable: bool = False
    show_in_admin_all_list: bool = True
    date_floating: bool = False


POST_STATUSES = {status.name: status for status in (
    PostStatus("publish", "Published", public=True, publicly_queryable=True),
    PostStatus("future", "Scheduled", protected=True),
    PostStatus("draft", "Draft", protected=True, date_floating=True),
    PostStatus("pending", "Pending", protected=True, date_floating=True),
    PostStatus("private", "Private", private=True),
    PostStatus("trash", "Trash", internal=True, show_in_admin_all_list=False),
    PostStatus("auto-draft", "auto-draft", internal=True, show_in_admin_all_list=False, date_floating=True),
    PostStatus("inherit", "inherit", internal=True, show_in_admin_all_list=False),
    PostStatus("request-pending", "Pending", internal=True, show_in_admin_all_list=False),
    PostStatus("request-confirmed", "Confirmed", internal=True, show_in_admin_all_list=False),
    PostStatus("request-failed", "Failed", internal=True, show_in_admin_all_list=False),
    PostStatus("request-completed", "Completed", internal=True, show_in_admin_all_list=False),
)}


def post_status(name):
    return POST_STATUSES.get(name)


# --- post formats ------------------------------------------------------------------------------

# get_post_format_strings(): slug → name, "standard" first (it has no archive of its own).
POST_FORMATS = _frozen({"standard": "Standard", "aside": "Aside", "chat": "Chat", "gallery": "Gallery",
                        "link": "Link", "image": "Image", "quote": "Quote", "status": "Status", "video": "Video",
                        "audio": "Audio"})
