"""Regulation documents go to the sandbox encrypted as DIDWW requires, and only what it can
decrypt is staged — as metadata, never the document."""

from __future__ import annotations

import logging
import os

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from velo_didww import DidwwClient, NotFound, PublicKey, ValidationFailed, encrypt_for_upload
from velo_didww.encryption import fingerprint
from velo_sandbox.didww.persistence import load, save
from velo_sandbox.didww.regulation import Regulation
from velo_sandbox.didww.runtime import Sandbox

from .kyc import PDF, PNG

HEADERS = {"Api-Key": "sandbox-acme-key"}
OAEP_SHA256 = OAEP(mgf=MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


async def _keys(http: httpx.AsyncClient) -> list[PublicKey]:
    answer = await http.get("/v3/public_keys")
    return [PublicKey(id=k["id"], key=k["attributes"]["key"]) for k in answer.json()["data"]]


async def _post(http: httpx.AsyncClient, body: bytes, print_: str) -> httpx.Response:
    fields = {"encrypted_files[encryption_fingerprint]": print_}
    files = {"encrypted_files[items][][file]": ("doc.enc", body, "application/octet-stream")}
    return await http.post("/v3/encrypted_files", data=fields, files=files, headers=HEADERS)


def _refusal(answer: httpx.Response) -> tuple[str, str]:
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    return error["source"]["pointer"], error["detail"]


async def test_public_keys_need_no_api_key_and_carry_neither_meta_nor_links(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.get("/v3/public_keys")
    assert answer.status_code == 200
    doc = answer.json()
    assert set(doc) == {"data"} and len(doc["data"]) == 2
    assert all(k["attributes"]["key"].startswith("-----BEGIN PUBLIC KEY-----") for k in doc["data"])


async def test_the_clients_encryption_decrypts_in_the_sandbox(
    acme: DidwwClient, sandbox: Sandbox
) -> None:
    staged = await acme.upload_encrypted_file(PDF, description="passport")
    record = sandbox.state.records.regulation.files[staged.id]
    assert (record.size, record.content_type, record.description) == (
        len(PDF),
        "application/pdf",
        "passport",
    )
    assert (await acme.get_encrypted_file(staged.id)).description == "passport"
    assert b"passport scan" not in sandbox.state.records.model_dump_json().encode()


async def test_no_document_bytes_reach_the_logs(
    acme: DidwwClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await acme.upload_encrypted_file(PDF, description="passport")
    with pytest.raises(ValidationFailed):
        await acme.upload_encrypted_file(b"GIF89a passport scan")
    assert caplog.records and "passport scan" not in caplog.text


async def test_an_upload_is_answered_as_plain_json(http: httpx.AsyncClient) -> None:
    body, print_ = encrypt_for_upload(PNG, await _keys(http))
    answer = await _post(http, body, print_)
    assert answer.status_code == 201 and answer.headers["content-type"] == "application/json"
    assert answer.json()["data"]["type"] == "encrypted_files"


async def test_a_wrong_fingerprint_is_refused_naming_it(http: httpx.AsyncClient) -> None:
    keys = await _keys(http)
    body, _ = encrypt_for_upload(PDF, keys)
    pointer, detail = _refusal(await _post(http, body, fingerprint(keys[:1]) + ":::" + "0" * 40))
    assert pointer.endswith("encryption_fingerprint") and "does not match" in detail


async def test_a_corrupted_rsa_block_is_refused_as_not_decrypting(http: httpx.AsyncClient) -> None:
    body, print_ = encrypt_for_upload(PDF, await _keys(http))
    corrupted = bytes([body[0] ^ 0xFF]) + body[1:]
    pointer, detail = _refusal(await _post(http, corrupted, print_))
    assert pointer.endswith("/file") and "does not decrypt" in detail


async def test_a_truncated_rsa_block_is_refused(http: httpx.AsyncClient) -> None:
    body, print_ = encrypt_for_upload(PDF, await _keys(http))
    pointer, detail = _refusal(await _post(http, body[:300], print_))
    assert pointer.endswith("/file") and "truncated" in detail


async def test_bad_padding_is_refused(http: httpx.AsyncClient) -> None:
    keys = await _keys(http)
    secret, iv = os.urandom(32), os.urandom(16)
    unpadded = PDF + b"\x00" * (-len(PDF) % 16)  # zero padding, not PKCS#7
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(unpadded) + encryptor.finalize()
    sealed = b"".join(_rsa(k).encrypt(secret + iv, OAEP_SHA256) for k in keys)
    pointer, detail = _refusal(await _post(http, sealed + ciphertext, fingerprint(keys)))
    assert pointer.endswith("/file") and "padding" in detail


async def test_a_file_encrypted_for_other_keys_is_refused(http: httpx.AsyncClient) -> None:
    keys = await _keys(http)
    other = [_foreign_key(), _foreign_key()]
    body, _ = encrypt_for_upload(PDF, other)
    pointer, detail = _refusal(await _post(http, body, fingerprint(keys)))
    assert pointer.endswith("/file") and "does not decrypt" in detail


async def test_a_garbled_document_is_refused_as_no_pdf_jpeg_or_png(http: httpx.AsyncClient) -> None:
    body, print_ = encrypt_for_upload(PDF, await _keys(http))
    first_aes_block = 512
    garbled = body[:first_aes_block] + bytes([body[first_aes_block] ^ 0x01]) + body[513:]
    pointer, detail = _refusal(await _post(http, garbled, print_))
    assert pointer.endswith("/file") and "PDF, JPEG or PNG" in detail


async def test_a_document_other_than_pdf_jpeg_or_png_is_refused(acme: DidwwClient) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await acme.upload_encrypted_file(b"GIF89a" + b"\x00" * 32)
    assert refused.value.pointer == "/data/attributes/file"
    assert "PDF, JPEG or PNG" in refused.value.detail


async def test_an_upload_without_a_fingerprint_or_file_is_refused(http: httpx.AsyncClient) -> None:
    pointer, _ = _refusal(await http.post("/v3/encrypted_files", data={}, headers=HEADERS))
    assert pointer.endswith("encryption_fingerprint")
    raw = await http.post("/v3/encrypted_files", content=b"not multipart", headers=HEADERS)
    assert raw.status_code == 422


async def test_staged_files_are_listed_deleted_and_private(
    acme: DidwwClient, globex: DidwwClient
) -> None:
    staged = await acme.upload_encrypted_file(PDF)
    assert [f.id for f in await acme.list_encrypted_files()] == [staged.id]
    assert await globex.list_encrypted_files() == []
    with pytest.raises(NotFound):
        await globex.get_encrypted_file(staged.id)
    with pytest.raises(NotFound):
        await globex.delete_encrypted_file(staged.id)
    await acme.delete_encrypted_file(staged.id)
    assert await acme.list_encrypted_files() == []


async def test_a_staged_file_expires_after_a_day_unless_attached(
    acme: DidwwClient, sandbox: Sandbox, clock
) -> None:
    await acme.upload_encrypted_file(PDF)
    clock.advance(24 * 3600 + 1)
    assert await acme.list_encrypted_files() == []


def test_the_key_pairs_outlive_a_restart_with_a_state_file(sandbox: Sandbox, tmp_path) -> None:
    pairs = Regulation(sandbox.state).key_pairs()
    save(tmp_path / "state.json", sandbox.state.records)
    assert load(tmp_path / "state.json").regulation.key_pairs == pairs


def _rsa(key: PublicKey) -> rsa.RSAPublicKey:
    loaded = serialization.load_pem_public_key(key.key.encode())
    assert isinstance(loaded, rsa.RSAPublicKey)
    return loaded


def _foreign_key() -> PublicKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return PublicKey(id="foreign", key=pem.decode())
