"""The item schemas of users and application passwords, as WordPress 6.1 publishes them.

Users carry our healthcare fields (spec/healthcare-schema.md) in the edit context
only. The same dicts drive context filtering, input validation and OPTIONS; the
endpoint args are listed in WordPress's order so the discovery index reads the same.
"""

VEM = ["embed", "view", "edit"]
VE = ["view", "edit"]
E = ["edit"]
AVATAR_SIZES = (24, 48, 96)
# '' (the site's language) and en_US, plus WordPress's installed language packs: we have none, so a
# site in pt_BR shows locale pt_BR for users who have none of their own, and "" sets that back.
LOCALES = ["", "en_US"]
# get_post_types(show_in_rest): what `has_published_posts` accepts (an object, as PHP prints it).
REST_POST_TYPES = {name: name for name in ("post", "page", "attachment", "nav_menu_item", "wp_block",
                                           "wp_template", "wp_template_part", "wp_navigation")}
PERSISTED_PREFERENCES = {
    "type": "object", "description": "", "default": [], "context": ["edit"],
    "properties": {"_modified": {"description": "The date and time the preferences were updated.",
                                 "type": "string", "format": "date-time", "readonly": False}},
    "additionalProperties": True}
HEALTHCARE_FIELDS = {
    "professional_registry": {"description": "Professional registry (e.g. CRM/SP 123456).",
                              "type": ["string", "null"], "maxLength": 100, "context": E},
    "professional_type": {"description": "Kind of health professional.", "type": ["string", "null"],
                          "maxLength": 50, "context": E},
    "speciality": {"description": "Medical speciality.", "type": ["string", "null"], "maxLength": 100,
                   "context": E},
    "validated_at": {"description": "When the professional registry was validated (GMT); null if not.",
                     "type": ["string", "null"], "format": "date-time", "context": E, "readonly": True},
}


def user_schema():
    avatar = {str(size): {"description": f"Avatar URL with image size of {size} pixels.", "type": "string",
                          "format": "uri", "context": VEM} for size in AVATAR_SIZES}
    properties = {
        "id": {"description": "Unique identifier for the user.", "type": "integer", "context": VEM,
               "readonly": True},
        "username": {"description": "Login name for the user.", "type": "string", "context": E, "required": True},
        "name": {"description": "Display name for the user.", "type": "string", "context": VEM},
        "first_name": {"description": "First name for the user.", "type": "string", "context": E},
        "last_name": {"description": "Last name for the user.", "type": "string", "context": E},
        "email": {"description": "The email address for the user.", "type": "string", "format": "email",
                  "context": E, "required": True},
        "url": {"description": "URL of the user.", "type": "string", "format": "uri", "context": VEM},
        "description": {"description": "Description of the user.", "type": "string", "context": VEM},
        "link": {"description": "Author URL of the user.", "type": "string", "format": "uri", "context": VEM,
                 "readonly": True},
        "locale": {"description": "Locale for the user.", "type": "string", "enum": LOCALES, "context": E},
        "nickname": {"description": "The nickname for the user.", "type": "string", "context": E},
        "slug": {"description": "An alphanumeric identifier for the user.", "type": "string", "context": VEM},
        "registered_date": {"description": "Registration date for the user.", "type": "string",
                            "format": "date-time", "context": E, "readonly": True},
        "roles": {"description": "Roles assigned to the user.", "type": "array", "items": {"type": "string"},
                  "context": E},
        "password": {"description": "Password for the user (never included).", "type": "string", "context": [],
                     "required": True},
        "capabilities": {"description": "All capabilities assigned to the user.", "type": "object",
                         "context": E, "readonly": True},
        "extra_capabilities": {"description": "Any extra capabilities assigned to the user.", "type": "object",
                               "context": E, "readonly": True},
        "avatar_urls": {"description": "Avatar URLs for the user.", "type": "object", "context": VEM,
                        "readonly": True, "properties": avatar},
        "meta": {"description": "Meta fields.", "type": "object", "context": VE,
                 "properties": {"persisted_preferences": PERSISTED_PREFERENCES}},
        **HEALTHCARE_FIELDS,
    }
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "user", "type": "object",
            "properties": properties}


def writable_args(schema, creating, hooks):
    """Endpoint args for create (required ones required) or update (nothing required).

    hooks: {name: {"sanitize"/"validate": callable}} — WordPress's arg_options callbacks.
    """
    args = {}
    for name, prop in schema["properties"].items():
        if prop.get("readonly"):
            continue
        arg = {key: value for key, value in prop.items()
               if key not in ("context", "readonly", "required", "properties")}
        if name == "meta":
            arg["properties"] = prop["properties"]
        arg["required"] = bool(creating and prop.get("required"))
        if not arg["required"]:
            del arg["required"]
        arg.update(hooks.get(name, {}))
        args[name] = arg
    return args


def collection_params(base):
    """get_collection_params of WP_REST_Users_Controller; `base`: the shared pagination params."""
    ids = {"type": "array", "items": {"type": "integer"}, "default": []}
    strings = {"type": "array", "items": {"type": "string"}}
    params = dict(base)
    params.update({
        "exclude": {"description": "Ensure result set excludes specific IDs.", **ids},
        "include": {"description": "Limit result set to specific IDs.", **ids},
        "offset": {"description": "Offset the result set by a specific number of items.", "type": "integer"},
        "order": {"default": "asc", "description": "Order sort attribute ascending or descending.",
                  "enum": ["asc", "desc"], "type": "string"},
        "orderby": {"default": "name", "description": "Sort collection by user attribute.",
                    "enum": ["id", "include", "name", "registered_date", "slug", "include_slugs", "email", "url"],
                    "type": "string"},
        "slug": {"description": "Limit result set to users with one or more specific slugs.", **strings},
        "roles": {"description": "Limit result set to users matching at least one specific role provided. "
                                 "Accepts csv list or single role.", **strings},
        "capabilities": {"description": "Limit result set to users matching at least one specific capability "
                                        "provided. Accepts csv list or single capability.", **strings},
        "who": {"description": "Limit result set to users who are considered authors.", "type": "string",
                "enum": ["authors"]},
        "has_published_posts": {"description": "Limit result set to users who have published posts.",
                                "type": ["boolean", "array"],
                                "items": {"type": "string", "enum": REST_POST_TYPES}},
    })
    return params


def delete_args(with_id):
    args = {"id": {"description": "Unique identifier for the user.", "type": "integer"}} if with_id else {}
    args["force"] = {"type": "boolean", "default": False,
                     "description": "Required to be true, as users do not support trashing."}
    return args


# --- application passwords ------------------------------------------------------------------------

def application_password_schema():
    return {"$schema": "http://json-schema.org/draft-04/schema#", "title": "application-password",
            "type": "object", "properties": {
                "uuid": {"description": "The unique identifier for the application password.", "type": "string",
                         "format": "uuid", "context": ["view", "edit", "embed"], "readonly": True},
                "app_id": {"description": "A UUID provided by the application to uniquely identify it. It is "
                                          "recommended to use an UUID v5 with the URL or DNS namespace.",
                           "type": "string", "format": "uuid", "context": ["view", "edit", "embed"]},
                "name": {"description": "The name of the application password.", "type": "string",
                         "required": True, "context": ["view", "edit", "embed"], "minLength": 1,
                         "pattern": ".*\\S.*"},
                "password": {"description": "The generated password. Only available after adding an "
                                            "application.", "type": "string", "context": E, "readonly": True},
                "created": {"description": "The GMT date the application password was created.", "type": "string",
                            "format": "date-time", "context": VE, "readonly": True},
                "last_used": {"description": "The GMT date the application password was last used.",
                              "type": ["string", "null"], "format": "date-time", "context": VE, "readonly": True},
                "last_ip": {"description": "The IP address the application password was last used by.",
                            "type": ["string", "null"], "format": "ip", "context": VE, "readonly": True},
            }}


def application_password_args(creating):
    app_id = {"description": "A UUID provided by the application to uniquely identify it. It is recommended to "
                             "use an UUID v5 with the URL or DNS namespace.", "type": "string", "format": "uuid"}
    name = {"description": "The name of the application password.", "type": "string", "minLength": 1,
            "pattern": ".*\\S.*"}
    if creating:
        name["required"] = True
    return {"app_id": app_id, "name": name}
