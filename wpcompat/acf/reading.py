"""Reading the ACF values of a batch of objects (spec/acf.md §5.3), in a fixed number of queries.

For any number of objects: the registry (one query per HTTP request), the values (one
query), the terms of posts when a location rule looks at them (one query), and one query
per kind of object relational values point at. PHI fields are absent for viewers who may
not read PHI; every object whose PHI fields were shown is audited as `access`.
"""

from wpcompat import audit
from wpcompat.acf import definitions, formats, location, values
from wpcompat.acf.objects import Refs, View
from wpcompat.dates import zone_of
from wpcompat.models import PostTerm, Term
from wpcompat.rest.http import REST_PREFIX


def view_for(request, standard=None):
    """The View of a request; `standard` None: what ?acf_format= asks (default light)."""
    if standard is None:
        standard = str(request.get("acf_format") or "light").lower() == "standard"
    home = request.site.home_url(request.http) if request.http is not None else request.site.url.rstrip("/")
    return View(request.user, zone_of(request.site), home, f"{home}{REST_PREFIX}/", request.site.slug, standard)


def targets(kind, sub_type, objects, registry):
    """A location Target per object (posts' terms loaded once, if a rule needs them)."""
    terms = _terms_of([obj.id for obj in objects]) if kind == "post" and objects and \
        location.needs_terms(registry) else {}
    result = []
    for obj in objects:
        if kind == "post":
            attributes = {"status": obj.status, "format": obj.format, "terms": terms.get(obj.id, set())}
            result.append(location.Target(kind, obj.post_type, obj, attributes))
        elif kind == "media":
            result.append(location.Target(kind, "attachment", obj, {"mime_type": obj.mime_type}))
        elif kind == "term":
            result.append(location.Target(kind, obj.taxonomy, obj))
        elif kind == "user":
            result.append(location.Target(kind, "user", obj, {"role": obj.role}))
        else:                                             # options: the page id is the sub type
            result.append(location.Target(kind, obj, obj))
    return result


def _terms_of(post_ids):
    found = {}
    rows = (PostTerm.select(PostTerm.post, Term.taxonomy, Term.slug).join(Term, on=(PostTerm.term == Term.id))
            .where(PostTerm.post.in_(post_ids)).tuples())
    for post_id, taxonomy, slug in rows:
        found.setdefault(post_id, set()).add(f"{taxonomy}:{slug}")
    return found


def fields_of(groups):
    return [field for group in groups for field in group.fields]


def read(request, kind, sub_type, objects, rest_only=True, standard=None, audit_tag="acf"):
    """[(acf value, {rel: [links]})] for `objects` in order; the value is [] when nothing applies."""
    registry = definitions.for_request(request)
    if not registry or not objects:
        return [([], {}) for _obj in objects]
    view = view_for(request, standard)
    batch = targets(kind, sub_type, objects, registry)
    applied = [fields_of(location.groups_for(registry, target, rest_only)) for target in batch]
    owners = [values.owner_key(kind, target.owner) for target, fields in zip(batch, applied) if fields]
    stored = values.load(kind, owners) if owners else {}
    phi_ok = view.may_read_phi
    refs = Refs(view)
    for target, fields in zip(batch, applied):
        formats.collect(fields, stored.get(values.owner_key(kind, target.owner), {}), "", refs, phi_ok)
    refs.load()
    results = []
    for target, fields in zip(batch, applied):
        reader = formats.Reader(view, refs, phi_ok)
        data = reader.fields(fields, stored.get(values.owner_key(kind, target.owner), {})) if fields else {}
        results.append((data or [], reader.links))
        if phi_ok:
            _audit_phi(request, kind, target, fields, data, audit_tag)
    return results


def phi_names(fields):
    return [field.name for field in fields if field.has_phi()]


def _audit_phi(request, kind, target, fields, data, tag):
    """Reading PHI is an `access` event (DESIGN.md §6), one per object whose PHI was shown."""
    shown = [name for name in phi_names(fields) if isinstance(data, dict) and name in data]
    if not shown or request.http is None:
        return
    owner = target.owner
    audit.record(request.http, f"{tag}:phi", None if kind == "option" else owner.id, operation="access",
                 object=kind, wp_id=getattr(owner, "wp_id", owner), fields=shown)
