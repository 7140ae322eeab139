"""Fetching attachment files safely: timeouts, retries with backoff, a size cap, a content-type check,
and no private, loopback, link-local (169.254.x.x cloud metadata included) or IPv6-local addresses
unless allowed.

The host name is resolved once (through an injectable `resolver`, so tests can give names
any address), every address is checked, and the connection goes to the checked address
(`PinnedAdapter`: the TCP connection is opened to that IP while TLS still verifies the
certificate for the host name, and Host carries the name). A second DNS answer cannot slip
a private address in between (DNS rebinding). Redirects are followed by hand, each hop
checked the same way. The `responses` test library replaces only the adapter's `send`, so
with it the address checks still run for real.
"""

import contextlib
import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEADLINE_SECONDS = 120        # one file, retries and redirects included: a server dripping a byte at a time
                              # stays under every read timeout, and the batch's transaction waits meanwhile
ALLOWED_TYPES = ("image/", "video/", "audio/", "application/pdf", "application/dicom",
                 "application/vnd.openxmlformats-officedocument.", "application/octet-stream")
RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "wpcompat-wxr-importer/1"


class DownloadError(Exception):
    """One file could not be fetched; str() says why in one line."""


def system_resolver(host, port):
    """The addresses `host` resolves to (strings)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise DownloadError(f"cannot resolve {host}: {error.strerror}") from None
    return [info[4][0] for info in infos]


# Not global, yet not named private by every Python: carrier-grade NAT (cloud metadata services such as
# 100.100.100.200 and tailnets live there), IETF protocol assignments (192.0.0.192 was a metadata
# address), NAT64 and 6to4 (they can carry an internal IPv4 address).
NOT_PUBLIC = tuple(ipaddress.ip_network(network) for network in (
    "100.64.0.0/10", "192.0.0.0/24", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16"))


def address_problem(address):
    """Why we refuse to connect to `address`, or None: only public (global) unicast addresses pass."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local):
        return "private"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "reserved"
    if not ip.is_global or any(ip in network for network in NOT_PUBLIC if network.version == ip.version):
        return "non-public"
    return None


@contextlib.contextmanager
def _one_failure(url):
    """What the network or a malformed URL raises, as the DownloadError of this one file."""
    try:
        yield
    except DownloadError:
        raise
    except (ValueError, UnicodeError, requests.RequestException) as error:
        raise DownloadError(f"{url}: {type(error).__name__}: {error}") from None


class PinnedAdapter(HTTPAdapter):
    """Connects to the address the fetcher checked, not to whatever DNS says now."""

    def __init__(self, pins, **kwargs):
        self.pins = pins                      # {(host, port): address}
        super().__init__(**kwargs)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        parts = urlsplit(request.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = self.pins.get((parts.hostname, port))
        if address is None:
            raise DownloadError(f"{parts.hostname} was not checked before connecting")
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if parts.scheme == "https":
            pool_kwargs = dict(pool_kwargs, server_hostname=parts.hostname, assert_hostname=parts.hostname)
        request.headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
        return self.poolmanager.connection_from_host(address, port, scheme=parts.scheme, pool_kwargs=pool_kwargs)


class Fetcher:
    """fetch(url) → (bytes, content type); head_size(url) → int or None."""

    def __init__(self, *, resolver=system_resolver, allow_private=False, max_bytes=DEFAULT_MAX_BYTES,
                 timeout=(10, 30), retries=3, backoff=0.5, sleep=time.sleep, max_redirects=3,
                 deadline=DEADLINE_SECONDS, clock=time.monotonic):
        self.resolver, self.allow_private, self.max_bytes = resolver, allow_private, max_bytes
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep
        self.max_redirects, self.deadline, self.clock = max_redirects, deadline, clock
        self.pins = {}
        self.session = requests.Session()
        self.session.trust_env = False                 # no proxies from the environment: we connect ourselves
        adapter = PinnedAdapter(self.pins)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT

    def check(self, url):
        """Resolve and vet the URL's host; pin the address the connection will use."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:           # a port out of range, an unclosed [IPv6 bracket
            raise DownloadError(f"not a valid URL: {url} ({error})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DownloadError(f"not an http(s) URL: {url}")
        addresses = self.resolver(parts.hostname, port)
        if not addresses:
            raise DownloadError(f"cannot resolve {parts.hostname}")
        if not self.allow_private:
            for address in addresses:
                problem = address_problem(address)
                if problem:
                    raise DownloadError(f"refused {parts.hostname}: {address} is a {problem} address")
        self.pins[(parts.hostname, port)] = addresses[0]

    def _request(self, method, url):
        """The response to `url`, redirects followed and checked; anything the network or a malformed
        URL raises becomes a DownloadError (one item fails, the import goes on)."""
        with _one_failure(url):
            return self._follow(method, url)

    def _follow(self, method, url):
        self.started = self.clock()
        for hop in range(self.max_redirects + 1):
            self.check(url)
            response = self._with_retries(method, url)
            if response.is_redirect and hop < self.max_redirects:
                target = urljoin(url, response.headers.get("Location", ""))
                response.close()
                url = target
                continue
            return response
        raise DownloadError(f"too many redirects: {url}")

    def _with_retries(self, method, url):
        last = None
        for attempt in range(self.retries):
            self._in_time(url)
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.session.request(method, url, timeout=self.timeout, stream=True,
                                                allow_redirects=False)
            except (requests.ConnectionError, requests.Timeout) as error:
                last = f"{type(error).__name__}"
                continue
            if response.status_code in RETRY_STATUSES:
                last = f"HTTP {response.status_code}"
                response.close()
                continue
            return response
        raise DownloadError(f"{url}: failed after {self.retries} attempts ({last})")

    def _in_time(self, url):
        if self.clock() - self.started > self.deadline:
            raise DownloadError(f"{url}: not fetched within {self.deadline} s")

    def fetch(self, url):
        response = self._request("GET", url)
        with _one_failure(url):                   # cut short, bad gzip, a stall
            return self._read(url, response)

    def _read(self, url, response):
        with response:
            if response.status_code != 200:
                raise DownloadError(f"{url}: HTTP {response.status_code}")
            mime = (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
            if not mime.startswith(ALLOWED_TYPES):
                raise DownloadError(f"{url}: content type {mime or 'missing'} is not a media type")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise DownloadError(f"{url}: {declared} bytes is over the {self.max_bytes}-byte limit")
            data = bytearray()
            while chunk := response.raw.read1(65536, decode_content=True):   # what came: a drip is seen
                data.extend(chunk)
                if len(data) > self.max_bytes:
                    raise DownloadError(f"{url}: over the {self.max_bytes}-byte limit")
                self._in_time(url)
        if not data:
            raise DownloadError(f"{url}: empty body")
        if declared and declared.isdigit() and not response.headers.get("Content-Encoding") \
                and int(declared) != len(data):
            raise DownloadError(f"{url}: got {len(data)} bytes, Content-Length said {declared}")
        return bytes(data), mime

    def head_size(self, url):
        """The Content-Length a HEAD request announces, or None (any failure: unknown)."""
        try:
            response = self._request("HEAD", url)
        except DownloadError:
            return None
        with response:
            length = response.headers.get("Content-Length")
            if response.status_code == 200 and length and length.isdigit():
                return int(length)
        return None
