"""Calling /xmlrpc.php in tests: through falcon's TestClient, as xmlrpc.client and python-wordpress-xmlrpc do.

(The package is tests/xmlrpc_api, not tests/xmlrpc: with tests/ on sys.path a package named
`xmlrpc` would shadow the standard library's xmlrpc for the whole test session.)
"""

import xmlrpc.client

import pytest

from wpcompat.xmlrpc import auth as xmlrpc_auth

XML = {"Content-Type": "text/xml"}


class FalconTransport(xmlrpc.client.Transport):
    """An xmlrpc.client transport that posts through falcon.testing.TestClient (any client library works)."""

    def __init__(self, client, host, use_builtin_types=False):
        super().__init__(use_builtin_types=use_builtin_types)
        self.client, self.host_header = client, host
        self.last = None

    def request(self, host, handler, request_body, verbose=False):
        self.last = self.client.simulate_post(handler, body=request_body, headers={"Host": self.host_header, **XML})
        parser, unmarshaller = self.getparser()
        parser.feed(self.last.content)
        parser.close()
        return unmarshaller.close()


class Rpc:
    """rpc.call("wp.getPost", 1, login, password, 12) → value (raises xmlrpc.client.Fault)."""

    def __init__(self, client, host):
        self.client, self.host = client, host
        self.transport = FalconTransport(client, host, use_builtin_types=True)
        self.proxy = xmlrpc.client.ServerProxy(f"http://{host}/xmlrpc.php", transport=self.transport,
                                               allow_none=True, use_builtin_types=True)

    def call(self, name, *params):
        return getattr(self.proxy, name)(*params)

    def fault(self, name, *params):
        with pytest.raises(xmlrpc.client.Fault) as caught:
            self.call(name, *params)
        return caught.value.faultCode, caught.value.faultString

    def post(self, body, headers=None):
        return self.client.simulate_post("/xmlrpc.php", body=body, headers={"Host": self.host, **XML,
                                                                            **(headers or {})})

    @property
    def last(self):
        return self.transport.last


def decode(result):
    """(value, None) or (None, (code, message)) of a raw falcon Result."""
    try:
        return xmlrpc.client.loads(result.content, use_builtin_types=True)[0][0], None
    except xmlrpc.client.Fault as fault:
        return None, (fault.faultCode, fault.faultString)


@pytest.fixture
def rpc(client, clinic):
    """An Rpc on the requesting test's `clinic` (import this fixture, with `creds`, where it is used)."""
    return Rpc(client, clinic.host)


@pytest.fixture
def creds(clinic):
    """creds(role) → (blog_id, username, password) with the role's application password."""
    return lambda role: (1, clinic.users[role].login, clinic.passwords[role])


@pytest.fixture(autouse=True)
def fresh_login_counters():
    """Failed-login counters and remembered logins live in the process: every test starts with none."""
    xmlrpc_auth.failures.reset()
    xmlrpc_auth._verified.clear()
    yield
    xmlrpc_auth.failures.reset()
    xmlrpc_auth._verified.clear()
