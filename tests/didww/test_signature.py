"""Callback signatures match DIDWW's published vectors, on both sides of the contract."""

from __future__ import annotations

import pytest

from velo_didww import sign_callback, verify_callback
from velo_didww.signature import normalize_url
from velo_sandbox.didww.signing import signature as sandbox_signature

VECTOR_1 = (
    "szrdgh6547umt7tht7xbqhj6g9gdbyp7",
    "https://mycompany.com/didww_callbacks?opaque=123",
    {"id": "bf2cee72-6caa-4ae2-917e-bea01945691e", "status": "completed", "type": "orders"},
    "30f66e9d72eb5e193051fd02952f70d8e934b4ff",
)
PAYLOAD_2 = {"id": "1dd7a68b-e235-402b-8912-fe73ee14243a", "status": "completed", "type": "orders"}
SIGNATURE_2 = "4d1ce2be656d20d064183bec2ab98a2ff3981f73"


def test_signs_the_published_https_vector() -> None:
    key, url, payload, expected = VECTOR_1
    assert sign_callback(key, url, payload) == expected
    assert verify_callback(key, url, payload, expected)


@pytest.mark.parametrize("url", ["http://foo.com/bar", "http://foo.com:80/bar"])
def test_signs_urls_with_and_without_the_default_port_alike(url: str) -> None:
    assert sign_callback("SOMEAPIKEY", url, PAYLOAD_2) == SIGNATURE_2


def test_the_sandbox_signs_both_vectors_like_the_client_verifies() -> None:
    key, url, payload, expected = VECTOR_1
    assert sandbox_signature(key, url, payload) == expected
    assert sandbox_signature("SOMEAPIKEY", "http://foo.com/bar", PAYLOAD_2) == SIGNATURE_2


def test_rejects_a_tampered_payload_or_wrong_key() -> None:
    key, url, payload, expected = VECTOR_1
    assert not verify_callback(key, url, {**payload, "status": "canceled"}, expected)
    assert not verify_callback("other-key", url, payload, expected)


def test_normalizes_an_explicit_port_only_when_missing() -> None:
    assert normalize_url("https://a.example/x?q=1") == "https://a.example:443/x?q=1"
    assert normalize_url("http://a.example:8080/x") == "http://a.example:8080/x"
