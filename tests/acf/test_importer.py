"""Loading ACF JSON exports: what is kept, what is refused, re-imports."""

import copy

import pytest

from wpcompat.acf import definitions
from wpcompat.acf.importer import ExportError, import_groups
from wpcompat.db import tenant_scope
from wpcompat.models import AcfField, AcfFieldGroup

from acf.support import export, make_acf_site


@pytest.fixture
def site(engine):
    return make_acf_site(engine, "import", load=False)


def test_an_export_becomes_field_groups_and_fields(site):
    with tenant_scope(site.id):
        assert import_groups(export()) == (5, 0)
        registry = definitions.load()
        group = AcfFieldGroup.get(AcfFieldGroup.key == "group_clinical_evidence")
        crm = AcfField.get(AcfField.key == "field_65ab0004")
    assert [g.key for g in registry.groups][:2] == ["group_clinical_evidence", "group_specialty"]
    evidence = registry.groups[0]
    assert group.show_in_rest and group.source["title"] == "Clinical evidence"
    assert group.location == [[{"param": "post_type", "operator": "==", "value": "post"}],
                              [{"param": "post_type", "operator": "==", "value": "page"}]]
    assert "clinical_tab" not in [field.name for field in evidence.fields]          # layout fields hold no value
    references = next(field for field in evidence.fields if field.name == "references")
    assert [sub.name for sub in references.sub_fields] == ["citation", "doi", "year"]
    assert references.sub_fields[0].required and references.setting("max") == 20
    case = next(field for field in evidence.fields if field.name == "case_study")
    assert case.is_phi and case.medical_significance == "critical" and case.has_phi()
    assert crm.requires_validation and crm.validation_rules == {"type": "string",
                                                                 "pattern": "^CRM/[A-Z]{2} [0-9]{4,6}$"}
    assert crm.settings["maxlength"] == 20 and "key" not in crm.settings


def test_a_reimport_replaces_groups_and_may_move_fields(site):
    with tenant_scope(site.id):
        import_groups(export())
        groups = export()[:2]
        moved = groups[0]["fields"].pop(1)                    # peer_reviewed moves to the specialty group
        groups[1]["fields"].append(moved)
        groups[0]["title"] = "Evidence (v2)"
        assert import_groups(groups) == (0, 2)
        assert AcfFieldGroup.select().count() == 5
        field = AcfField.get(AcfField.key == moved["key"])
        assert field.group.key == "group_specialty"
        assert AcfFieldGroup.get(AcfFieldGroup.key == "group_clinical_evidence").title == "Evidence (v2)"


@pytest.mark.parametrize("change, message", [
    (lambda g: g[0].update(key="clinical"), "a field group needs a unique key starting with group_"),
    (lambda g: g[0]["fields"][0].update(key="evidence"), "a field key starts with field_"),
    (lambda g: g[0]["fields"][0].update(type="flexible_content"), "field type 'flexible_content' is not supported"),
    (lambda g: g[0]["fields"][0].update(name="evidence level"), "a field needs a name of letters"),
    (lambda g: g[0]["fields"][0].update(medical_significance="urgent"), "medical_significance is one of"),
    (lambda g: g[0]["fields"][0].update(validation_rules={"regex": "x"}), "validation_rules is an object of"),
    (lambda g: g[1]["fields"][0].update(key="field_65ab0001"), "field key field_65ab0001 appears twice"),
    (lambda g: g.append(copy.deepcopy(g[0])), "a field group needs a unique key"),
])
def test_a_bad_export_is_refused_and_nothing_is_written(site, change, message):
    groups = export()
    change(groups)
    with tenant_scope(site.id):
        with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
            import_groups(groups)
        assert AcfFieldGroup.select().count() == 0


def test_a_field_key_of_another_group_is_refused(site):
    with tenant_scope(site.id):
        import_groups(export())
        intruder = {"key": "group_intruder", "title": "Intruder", "location": [],
                    "fields": [{"key": "field_65ab0001", "name": "x", "type": "text"}]}
        with pytest.raises(ExportError, match="field key field_65ab0001 already belongs to field group "
                                              "group_clinical_evidence"):
            import_groups(intruder)
