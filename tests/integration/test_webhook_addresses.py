"""Webhook addresses: which IPs are public (every IPv4-in-IPv6 embedding unwrapped), and URL checks on a local table."""

from __future__ import annotations

import ipaddress

import pytest

from accelerator.domain.errors import ValidationError
from accelerator.services import webhooks


def teredo(server: str, client: str) -> str:
    """A Teredo address: 2001:0::/32, the server in bits 32-63, the client's IPv4 XOR 0xffffffff last."""
    value = (0x20010000 << 96) | (int(ipaddress.IPv4Address(server)) << 64) | (0x8000 << 48) | (0x1234 << 32)
    return str(ipaddress.IPv6Address(value | (int(ipaddress.IPv4Address(client)) ^ 0xFFFFFFFF)))


REFUSED = [
    # IPv4: private, loopback, link-local, shared, reserved, multicast, documentation, benchmarking, this network
    "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.20", "127.0.0.1", "127.8.9.10", "169.254.169.254",
    "100.64.0.1", "100.100.100.200", "100.127.255.254", "240.0.0.1", "255.255.255.255", "224.0.0.1",
    "239.255.255.250", "192.0.2.10", "198.51.100.7", "203.0.113.99", "198.18.0.1", "198.19.255.1", "0.0.0.0",
    "0.1.2.3", "192.0.0.9", "192.0.0.170", "192.88.99.1",
    # IPv6: loopback, unspecified, unique-local, link-local, site-local, multicast, documentation, discard, IETF
    "::1", "::", "fd00:ec2::254", "fc00::1", "fe80::1", "fe80::1%eth0", "fec0::1", "ff02::1", "ff0e::1",
    "2001:db8::1", "3fff::1", "100::1", "2001:2::1", "2001:10::1", "5f00::1",
    # IPv4-mapped and IPv4-compatible
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1", "::7f00:1", "::a00:1",
    "::a9fe:a9fe",
    # 6to4 around non-public IPv4
    "2002:7f00:1::", "2002:7f00:1::1", "2002:a00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::", "2002:6440:1::",
    "2002:e000:1::", "2002::",
    # NAT64 (well-known prefix) around non-public IPv4, and the local-use NAT64 prefix whatever it carries
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808", "64:ff9b:1::7f00:1",
    # Teredo with a non-public client or server, and nonsense
    teredo("65.54.227.120", "127.0.0.1"), teredo("65.54.227.120", "10.1.2.3"), teredo("10.0.0.1", "8.8.8.8"),
    teredo("65.54.227.120", "192.168.0.1"), "not an address", "", "999.1.1.1",
]

ALLOWED = [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "2002:808:808::", "2002:0808:0808::1", "64:ff9b::808:808",
    "::808:808", teredo("65.54.227.120", "8.8.4.4"),
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    assert webhooks.address_allowed(address, allow_loopback=False) is False


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_pass(address):
    assert webhooks.address_allowed(address, allow_loopback=False) is True


def test_loopback_only_when_allowed_and_never_inside_an_embedding():
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert webhooks.address_allowed(address, allow_loopback=True) is True
    for address in ("2002:7f00:1::", "64:ff9b::7f00:1", teredo("65.54.227.120", "127.0.0.1"), "10.0.0.1"):
        assert webhooks.address_allowed(address, allow_loopback=True) is False


def test_embedded_ipv4_reads_every_embedding():
    v4 = ipaddress.IPv4Address
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address("2002:7f00:1::")) == [v4("127.0.0.1")]
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address("64:ff9b::a00:1")) == [v4("10.0.0.1")]
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address("::ffff:169.254.169.254")) == [v4("169.254.169.254")]
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address("::a00:1")) == [v4("10.0.0.1")]
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address(teredo("65.54.227.120", "127.0.0.1"))) == [
        v4("65.54.227.120"), v4("127.0.0.1")]
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address("::1")) is None
    assert webhooks.embedded_ipv4(ipaddress.IPv6Address("2606:4700:4700::1111")) is None


def table(entries: dict[str, list[str]]):
    """A resolver answering from a local table (no DNS outside the machine); unknown names do not resolve."""

    def resolver(host: str, port: int) -> list[str]:
        try:
            return entries[host.strip("[]")]
        except KeyError:
            raise OSError(f"{host} is not in the table") from None

    return resolver


@pytest.mark.parametrize("url", [
    "https://[2002:7f00:1::]/", "https://[64:ff9b::7f00:1]/hook", "https://[::ffff:127.0.0.1]/",
    "https://[::7f00:1]/", f"https://[{teredo('65.54.227.120', '127.0.0.1')}]/", "https://[64:ff9b:1::808:808]/",
    "https://[2002:a9fe:a9fe::]/latest/meta-data", "https://100.64.0.1/", "https://198.18.0.1/",
    "https://192.0.2.10/", "https://239.255.255.250/",
])
def test_registration_refuses_every_embedding(app, url):
    with pytest.raises(ValidationError) as exc:
        webhooks.check_url(url, allow_loopback=False)
    assert "public addresses" in exc.value.fields["url"]


def test_registration_judges_every_address_a_name_resolves_to(app):
    resolver = table({"hooks.insurer.test": ["93.184.216.34", "2002:7f00:1::"],
                      "public.insurer.test": ["93.184.216.34", "2002:808:808::"]})
    with pytest.raises(ValidationError):
        webhooks.check_url("https://hooks.insurer.test/hook", allow_loopback=False, resolver=resolver)
    assert webhooks.check_url("https://public.insurer.test/hook", allow_loopback=False, resolver=resolver)
    with pytest.raises(ValidationError) as exc:
        webhooks.check_url("https://elsewhere.insurer.test/hook", allow_loopback=False, resolver=resolver)
    assert "does not resolve" in exc.value.fields["url"]


def test_public_embeddings_register(app):
    for url in ("https://[2002:808:808::]/hook", "https://[2606:4700:4700::1111]/hook", "https://8.8.8.8/hook"):
        assert webhooks.check_url(url, allow_loopback=False) == url


def test_special_use_names_never_resolve_and_are_not_asked_of_dns():
    for host in ("no-such-host.invalid", "hooks.insurer.test", "www.example", "A.B.TEST."):
        with pytest.raises(OSError):
            webhooks.resolve(host, 443)
    assert set(webhooks.resolve("localhost", 443)) <= {"127.0.0.1", "::1"}
    assert webhooks.resolve("[2002:808:808::]", 443) == ["2002:808:808::"]
