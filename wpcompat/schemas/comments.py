"""The item schema and collection arguments of comments, as WordPress 6.1 publishes them.

author_email, author_ip and author_user_agent are edit-context only: PHI-grade data that
only moderators see (WordPress's contexts; DESIGN.md §8). The same dicts drive context
filtering, input validation and OPTIONS.
"""

import ipaddress
import re

from wpcompat.editing.users import sanitize_url
from wpcompat.kses import sanitize_text_field
from wpcompat.rest.validation import EMAIL, ParamError, PublishedArg
from wpcompat.routes.base import pagination_params

VEM = ["view", "edit", "embed"]
VE = ["view", "edit"]
E = ["edit"]
AVATAR_SIZES = (24, 48, 96)


def sanitize_key(value, request=None):
    """sanitize_key(): lower case, only a-z 0-9 _ -."""
    return re.sub(r"[^a-z0-9_\-]", "", str(value).lower())


def check_author_email(value, request=None):
    """check_comment_author_email: empty, or a valid address."""
    email = str(value)
    if email and not EMAIL.match(email):
        raise ParamError("rest_invalid_email", "Invalid email address.", None)
    return email


def check_ip(value, request=None):
    """format: ip (rest_is_ip_address)."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        raise ParamError("rest_invalid_ip", "Invalid IP address.", None) from None
    return str(value)


def comment_schema():
    avatar = {str(size): {"description": f"Avatar URL with image size of {size} pixels.", "type": "string",
                          "format": "uri", "context": ["embed", "view", "edit"]} for size in AVATAR_SIZES}
    properties = {
        "id": {"description": "Unique identifier for the comment.", "type": "integer", "context": VEM,
               "readonly": True},
        "author": {"description": "The ID of the user object, if author was a user.", "type": "integer",
                   "context": VEM},
        "author_email": {"description": "Email address for the comment author.", "type": "string",
                         "format": "email", "context": E},
        "author_ip": {"description": "IP address for the comment author.", "type": "string", "format": "ip",
                      "context": E},
        "author_name": {"description": "Display name for the comment author.", "type": "string", "context": VEM},
        "author_url": {"description": "URL for the comment author.", "type": "string", "format": "uri",
                       "context": VEM},
        "author_user_agent": {"description": "User agent for the comment author.", "type": "string", "context": E},
        "content": {"description": "The content for the comment.", "type": "object", "context": VEM,
                    "properties": {
                        "raw": {"description": "Content for the comment, as it exists in the database.",
                                "type": "string", "context": E},
                        "rendered": {"description": "HTML content for the comment, transformed for display.",
                                     "type": "string", "context": VEM, "readonly": True}}},
        "date": {"description": "The date the comment was published, in the site's timezone.", "type": "string",
                 "format": "date-time", "context": VEM},
        "date_gmt": {"description": "The date the comment was published, as GMT.", "type": "string",
                     "format": "date-time", "context": VE},
        "link": {"description": "URL to the comment.", "type": "string", "format": "uri", "context": VEM,
                 "readonly": True},
        "parent": {"description": "The ID for the parent of the comment.", "type": "integer", "context": VEM,
                   "default": 0},
        "post": {"description": "The ID of the associated post object.", "type": "integer", "context": VE,
                 "default": 0},
        "status": {"description": "State of the comment.", "type": "string", "context": VE},
        "type": {"description": "Type of the comment.", "type": "string", "context": VEM, "readonly": True,
                 "default": "comment"},
        "author_avatar_urls": {"description": "Avatar URLs for the comment author.", "type": "object",
                               "context": VEM, "readonly": True, "properties": avatar},
        "meta": {"description": "Meta fields.", "type": "object", "context": VE, "properties": {}},
    }
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "comment", "type": "object",
            "properties": properties}


HOOKS = {"author_email": {"sanitize": check_author_email}, "author_ip": {"validate": check_ip},
         "author_name": {"sanitize": sanitize_text_field}, "author_url": {"sanitize": sanitize_url},
         "author_user_agent": {"sanitize": sanitize_text_field}, "status": {"sanitize": sanitize_key}}


def writable_args(schema, creating):
    """get_endpoint_args_for_item_schema: every writable property; defaults only when creating.

    author_email ('' allowed), content (a string or {"raw": ...}) and meta are published with
    their type but checked by their own callbacks, as WordPress's arg_options say."""
    args = {}
    for name, prop in schema["properties"].items():
        if prop.get("readonly"):
            continue
        arg = {key: value for key, value in prop.items()
               if key not in ("context", "properties", "readonly") and (creating or key != "default")}
        arg.update(HOOKS.get(name, {}))
        if name in ("content", "meta"):                 # published as WordPress does (meta: PHP's empty array)
            arg["properties"] = prop["properties"] or []
        args[name] = PublishedArg(arg) if name in ("author_email", "content", "meta") else arg
    return args


def collection_params():
    ids = {"type": "array", "items": {"type": "integer"}}
    date = {"type": "string", "format": "date-time"}
    params = pagination_params()
    params.update({
        "after": {**date, "description": "Limit response to comments published after a given ISO8601 compliant "
                                         "date."},
        "author": {**ids, "description": "Limit result set to comments assigned to specific user IDs. Requires "
                                         "authorization."},
        "author_exclude": {**ids, "description": "Ensure result set excludes comments assigned to specific user "
                                                 "IDs. Requires authorization."},
        "author_email": {"default": None, "description": "Limit result set to that from a specific author email. "
                                                         "Requires authorization.", "format": "email",
                         "type": "string"},
        "before": {**date, "description": "Limit response to comments published before a given ISO8601 compliant "
                                          "date."},
        "exclude": {**ids, "description": "Ensure result set excludes specific IDs.", "default": []},
        "include": {**ids, "description": "Limit result set to specific IDs.", "default": []},
        "offset": {"description": "Offset the result set by a specific number of items.", "type": "integer"},
        "order": {"description": "Order sort attribute ascending or descending.", "type": "string",
                  "default": "desc", "enum": ["asc", "desc"]},
        "orderby": {"description": "Sort collection by comment attribute.", "type": "string", "default": "date_gmt",
                    "enum": ["date", "date_gmt", "id", "include", "post", "parent", "type"]},
        "parent": {"default": [], "description": "Limit result set to comments of specific parent IDs.", **ids},
        "parent_exclude": {"default": [], "description": "Ensure result set excludes specific parent IDs.", **ids},
        "post": {"default": [], "description": "Limit result set to comments assigned to specific post IDs.", **ids},
        "status": {"default": "approve", "description": "Limit result set to comments assigned a specific status. "
                                                         "Requires authorization.", "type": "string",
                   "sanitize": sanitize_key},
        "type": {"default": "comment", "description": "Limit result set to comments assigned a specific type. "
                                                       "Requires authorization.", "type": "string",
                 "sanitize": sanitize_key},
        "password": {"description": "The password for the post if it is password protected.", "type": "string"},
    })
    return params
