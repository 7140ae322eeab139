"""S.4 CFM validator: each objective rule, passing and failing."""

from wpcompat.workflow.cfm import CfmInput, consent_given, images_in, registry_valid, validate


def facts(**changes):
    base = dict(compliance_level="professional", medical_category="cardiology", disclaimer="Não substitui consulta.",
                registry="CRM/SP 123456", registry_validated=True, images=[], consent=False,
                texts={"content": "A pressão arterial deve ser medida em repouso."}, contains_phi=False,
                unsupported_claims=[])
    base.update(changes)
    return CfmInput(**base)


def codes(result):
    return sorted(issue["code"] for issue in result.issues)


def test_a_compliant_professional_post_passes_every_check():
    result = validate(facts())
    assert result.passed and result.checks == {"lgpd_check": "passed", "cfm_check": "passed",
                                               "anvisa_check": "passed"}


def test_disclaimer_and_registry_rules():
    assert codes(validate(facts(disclaimer=" "))) == ["missing_disclaimer"]
    assert codes(validate(facts(registry=None))) == ["missing_registry"]
    assert codes(validate(facts(registry="CRM/XX 12"))) == ["invalid_registry"]
    assert codes(validate(facts(registry_validated=False))) == ["unvalidated_registry"]
    # public content without a medical category needs neither
    assert validate(facts(compliance_level="public", medical_category=None, disclaimer=None, registry=None)).passed


def test_registry_formats():
    assert registry_valid("CRM/SP 123456") and registry_valid("CRM-RJ 52123") and registry_valid("CRM 12345/MG")
    assert registry_valid("CRO-MG 12345") and not registry_valid("CRM/ZZ 1234") and not registry_valid("123456")


def test_promises_of_cure_fail_cfm_and_safety_claims_fail_anvisa():
    result = validate(facts(texts={"content": "Cura garantida da artrose! Tratamento sem efeitos colaterais."}))
    assert result.checks["cfm_check"] == "failed" and result.checks["anvisa_check"] == "failed"
    assert codes(result) == ["absolute_safety_claim", "promise_of_cure"]
    assert codes(validate(facts(texts={"title": "Guaranteed results in 30 days"}))) == ["promise_of_cure"]


def test_before_and_after_images_need_consent():
    html = '<figure><img src="/a.jpg" alt="Antes e depois do tratamento"/><figcaption>Resultado</figcaption></figure>'
    images = images_in(html)
    assert codes(validate(facts(images=images))) == ["before_after_without_consent"]
    assert validate(facts(images=images, consent=True)).passed
    assert consent_given({"image_consent": "sim"}) and not consent_given({"image_consent": "0"})


def test_unsupported_claims_and_unclassified_patient_data_fail():
    claim = {"field": "content", "start": 10, "text": "cura", "validated": False}
    assert codes(validate(facts(unsupported_claims=[claim]))) == ["unsupported_claim"]
    result = validate(facts(contains_phi=True))
    assert result.checks["lgpd_check"] == "failed" and codes(result) == ["phi_not_classified"]
    assert validate(facts(contains_phi=True, compliance_level="phi")).passed
