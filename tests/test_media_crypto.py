"""PHI sealing (wpcompat/storage/crypto.py) and its settings, without a database."""

import uuid

import pytest

from conf.settings import SettingsError, load_settings
from wpcompat import storage
from wpcompat.storage import crypto


def test_keys_are_per_tenant_and_per_master():
    first, second = uuid.uuid4(), uuid.uuid4()
    master = b"m" * 40
    assert crypto.tenant_key(first, master) == crypto.tenant_key(first, master)
    assert crypto.tenant_key(first, master) != crypto.tenant_key(second, master)
    assert crypto.tenant_key(first, master) != crypto.tenant_key(first, b"n" * 40)
    assert len(crypto.tenant_key(first, master)) == 32                     # AES-256


def test_the_media_key_defaults_to_the_secret_key_and_is_checked():
    secret = "s" * 40
    tenant = uuid.uuid4()
    storage.configure(load_settings({"WPCOMPAT_SECRET_KEY": secret}))
    sealed = crypto.seal(tenant, "t/2026/01/a.png", b"patient data")
    assert crypto.unseal(tenant, "t/2026/01/a.png", sealed, master=secret.encode()) == b"patient data"
    storage.configure(load_settings({"WPCOMPAT_SECRET_KEY": secret, "WPCOMPAT_MEDIA_KEY": "k" * 40}))
    with pytest.raises(crypto.SealError, match="another media key"):
        crypto.unseal(tenant, "t/2026/01/a.png", sealed)                   # rotated without re-sealing
    with pytest.raises(SettingsError, match="WPCOMPAT_MEDIA_KEY must be at least 32 characters"):
        load_settings({"WPCOMPAT_MEDIA_KEY": "short"})


def test_each_seal_is_fresh_and_plaintext_free():
    storage.configure(load_settings({"WPCOMPAT_MEDIA_KEY": "k" * 40}))
    tenant, data = uuid.uuid4(), b"PatientName=Silva" * 10
    one, two = crypto.seal(tenant, "a", data), crypto.seal(tenant, "a", data)
    assert one != two                                                      # a new nonce every time
    assert b"Silva" not in one and crypto.is_sealed(one) and not crypto.is_sealed(data)
    with pytest.raises(crypto.SealError):
        crypto.unseal(tenant, "a", data)                                   # plaintext is not accepted
