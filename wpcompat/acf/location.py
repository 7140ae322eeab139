"""Which field groups apply to an object: ACF's location rules (an OR-list of AND-lists).

Object kinds: "post" (sub type post or page), "media", "term" (category or post_tag),
"user" and "option" (sub type: the options page id). Rule params understood:
post_type, post_category / post_taxonomy ("category:slug"), post_status, taxonomy,
attachment ("all", "image" or a MIME type), user_form, user_role, current_user_role is
not an object rule and never matches, options_page. A rule of another object kind makes
its AND-list fail, as in ACF.

Without a concrete object (create requests, collection schemas) ACF's
object_type_has_field_group rule applies: a rule set matches when one of its rules of the
object's own kind matches the sub type; the other rules are not looked at.
"""

import dataclasses

PRIMARY = {"post": ("post_type",), "media": ("attachment", "post_type"), "term": ("taxonomy",),
           "user": ("user_form", "user_role"), "option": ("options_page",)}
KIND_OF_PARAM = {"post_type": ("post", "media"), "post_category": ("post",), "post_taxonomy": ("post",),
                 "post_status": ("post",), "post_format": ("post",), "taxonomy": ("term",),
                 "attachment": ("media",), "user_form": ("user",), "user_role": ("user",),
                 "options_page": ("option",)}


@dataclasses.dataclass
class Target:
    """What location rules look at. `attributes` holds what rules beyond the sub type need."""

    kind: str
    sub_type: str
    owner: object = None                    # the row (Post, Term, User, Media) or the options page id
    attributes: dict = dataclasses.field(default_factory=dict)   # role, mime_type, status, terms

    @property
    def concrete(self):
        return self.owner is not None


def _equals(rule, actual):
    wanted = str(rule.get("value", ""))
    matched = wanted == "all" or (actual is not None and wanted == str(actual))
    return matched if rule.get("operator", "==") == "==" else not matched


def _mime_matches(rule, mime_type):
    wanted = str(rule.get("value", ""))
    mime_type = mime_type or ""
    matched = wanted == "all" or mime_type == wanted or (wanted and "/" not in wanted
                                                         and mime_type.split("/")[0] == wanted)
    return matched if rule.get("operator", "==") == "==" else not matched


def _terms_match(rule, terms):
    matched = str(rule.get("value", "")) in (terms or set())
    return matched if rule.get("operator", "==") == "==" else not matched


def rule_matches(rule, target):
    param = rule.get("param")
    if target.kind not in KIND_OF_PARAM.get(param, ()):
        return False
    attributes = target.attributes
    if param == "post_type":
        return _equals(rule, "attachment" if target.kind == "media" else target.sub_type)
    if param == "taxonomy":
        return _equals(rule, target.sub_type)
    if param == "options_page":            # ACF keeps every options page's values under "options"
        return _equals(rule, target.sub_type) or (target.sub_type == "options" and rule.get("operator") != "!=")
    if param == "attachment":
        return _mime_matches(rule, attributes.get("mime_type"))
    if param in ("post_category", "post_taxonomy"):
        return _terms_match(rule, attributes.get("terms"))
    if param == "post_status":
        return _equals(rule, attributes.get("status"))
    if param == "post_format":
        return _equals(rule, attributes.get("format", "standard"))
    if param == "user_role":
        return _equals(rule, attributes.get("role"))
    return True                                          # user_form: every user form


def group_applies(group, target):
    for rule_set in group.location or []:
        rules = [rule for rule in rule_set if isinstance(rule, dict)]
        if not rules:
            continue
        if target.concrete:
            if all(rule_matches(rule, target) for rule in rules):
                return True
        elif any(rule.get("param") in PRIMARY[target.kind] and rule_matches(rule, target) for rule in rules):
            return True
    return False


def groups_for(registry, target, rest_only):
    """The groups of `registry` that apply to `target` (only show_in_rest ones when rest_only)."""
    return [group for group in registry.groups
            if (group.show_in_rest or not rest_only) and group_applies(group, target)]


def needs_terms(registry):
    """Whether any rule looks at a post's terms (then they are loaded, once per batch)."""
    return any(rule.get("param") in ("post_category", "post_taxonomy")
               for group in registry.groups for rule_set in group.location or [] for rule in rule_set
               if isinstance(rule, dict))
