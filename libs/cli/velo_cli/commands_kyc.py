"""In-app KYC: what a regulated number asks for, your identities, addresses and proofs, and
corrected documents for a registration DIDWW rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from velo_cli.api import segment
from velo_cli.common import Json, e164, gateway, handled
from velo_cli.render import dump, say, table

kyc = typer.Typer(help="In-app KYC: file identities, addresses and proofs with DIDWW.")
Country = Annotated[str, typer.Option(help="ISO country code, e.g. DE.")]


def requirements(
    offer: Annotated[str, typer.Argument(help="An offer id from `velo search`.")],
    as_json: Json = False,
) -> None:
    """Say what DIDWW will ask before it delivers an offer's number."""
    found = gateway().get("/v1/kyc/requirements", offer_id=offer)
    if as_json:
        dump(found)
        return
    if not found["kyc_required"]:
        say("this number needs no registration")
        return
    for line in found["asks"]:
        say(f"- {line}")


def proof_types(as_json: Json = False) -> None:
    """List DIDWW's kinds of proof (their ids go to `velo kyc proof --proof-type`)."""
    found = gateway().get("/v1/kyc/proof-types")["items"]
    if as_json:
        dump(found)
        return
    table(
        "Proof types",
        ["Id", "Name", "Proves"],
        [(p["id"], p["name"], p["entity_type"]) for p in found],
    )


def identities(as_json: Json = False) -> None:
    """List your identities with their addresses and proofs (reusable for later numbers)."""
    found = gateway().get("/v1/kyc/identities")["items"]
    if as_json:
        dump(found)
        return
    rows = [
        (
            i["id"],
            i["identity_type"],
            i["name"],
            ", ".join(f"{a['id']} ({a['city_name']})" for a in i["addresses"]) or "-",
            str(len(i["proofs"])),
        )
        for i in found
    ]
    table("Identities", ["Id", "Type", "Name", "Addresses", "Proofs"], rows)


def identity(
    first_name: Annotated[str, typer.Option(help="Given name (of the person or contact).")],
    last_name: Annotated[str, typer.Option(help="Family name.")],
    phone: Annotated[str, typer.Option(help="Contact phone number, digits only.")],
    country: Country,
    business: Annotated[str | None, typer.Option(help="Company name: a business identity.")] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD, where asked.")] = None,
    birth_country: Annotated[str | None, typer.Option(help="ISO code, where asked.")] = None,
    company_reg_number: Annotated[str | None, typer.Option(help="Where asked.")] = None,
    id_number: Annotated[str | None, typer.Option(help="ID document number, where asked.")] = None,
    as_json: Json = False,
) -> None:
    """File an identity (a person, or a company with --business) with DIDWW."""
    body: dict[str, Any] = {
        "identity_type": "business" if business else "personal",
        "first_name": first_name,
        "last_name": last_name,
        "phone_number": phone,
        "country": country.upper(),
        "company_name": business,
        "birth_date": birth_date,
        "birth_country": birth_country.upper() if birth_country else None,
        "company_reg_number": company_reg_number,
        "id_number": id_number,
    }
    made = gateway().write("POST", "/v1/kyc/identities", {k: v for k, v in body.items() if v})
    _filed(made.body, "identity", as_json)


def address(
    identity_id: Annotated[str, typer.Argument(help="One of your identities.")],
    country: Country,
    city: Annotated[str, typer.Option(help="City name.")],
    postal_code: Annotated[str, typer.Option(help="Postal code.")],
    street: Annotated[str, typer.Option(help="Street and number.")],
    as_json: Json = False,
) -> None:
    """File an address of one of your identities with DIDWW."""
    body = {"country": country.upper(), "city_name": city, "postal_code": postal_code}
    path = f"/v1/kyc/identities/{segment(identity_id)}/addresses"
    made = gateway().write("POST", path, body | {"address": street})
    _filed(made.body, "address", as_json)


def proof(
    entity: Annotated[str, typer.Argument(help="`identity` or `address`.")],
    entity_id: Annotated[str, typer.Argument(help="Its id.")],
    document: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="PDF, JPEG or PNG, at most 10 MB.")
    ],
    proof_type: Annotated[str, typer.Option(help="A proof type id (`velo kyc proof-types`).")],
    as_json: Json = False,
) -> None:
    """File a document proving an identity or address (sent to DIDWW encrypted)."""
    form = {"entity_type": entity, "entity_id": entity_id, "proof_type_id": proof_type}
    files = {"file": (document.name, document.read_bytes(), "application/octet-stream")}
    made = gateway().upload("/v1/kyc/proofs", form, files)
    _filed(made.body, "proof", as_json)


def resubmit(
    number: Annotated[str, typer.Argument(help="The number whose registration was rejected.")],
    identity_id: Annotated[str, typer.Option("--identity", help="Identity to register with.")],
    address_id: Annotated[str, typer.Option("--address", help="Its (corrected) address.")],
    as_json: Json = False,
) -> None:
    """File a rejected registration again with corrected documents."""
    body = {"identity_id": identity_id, "address_id": address_id}
    path = f"/v1/numbers/{segment(e164(number))}/registration"
    accepted = gateway().write("POST", path, body)
    if as_json:
        dump(accepted.body)
    else:
        say("registration filed again; DIDWW reviews it (`velo show NUMBER`)")


def _filed(body: dict[str, Any], what: str, as_json: bool) -> None:
    if as_json:
        dump(body)
    else:
        say(f"{what} {body['id']} filed")


for command in (requirements, proof_types, identities, identity, address, proof, resubmit):
    kyc.command(name=command.__name__.replace("_", "-"))(handled(command))
