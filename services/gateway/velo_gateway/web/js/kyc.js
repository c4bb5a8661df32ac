// In-app KYC in the request dialog: what a regulated offer asks for, the tenant's identities and
// addresses to register it with, and forms to file new ones and their proofs (built from the
// requirement). Documents go to the gateway, which sends them to DIDWW encrypted.

import { ApiError, call, get } from "./api.js";
import { h } from "./ui.js";

const FIELD_LABELS = {
  birth_date: ["Date of birth", "date"], birth_country: ["Country of birth (ISO)", "text"],
  country: ["Country (ISO)", "text"], personal_tax_id: ["Personal tax id", "text"],
  id_number: ["ID document number", "text"], vat_id: ["VAT id", "text"],
  company_reg_number: ["Company registration number", "text"], contact_email: ["Contact email", "email"],
};

function field(label, name, type = "text", value = "") {
  return h("label", {}, label, h("input", { name, type, value, required: true }));
}

function formData(form) {
  return Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ""));
}

// Returns {element, filing()} for an offer, or null when in-app KYC is off for the tenant.
export async function kycForm(offer) {
  let identities;
  let asks;
  let kinds;
  try {
    [identities, asks, kinds] = await Promise.all([
      get("/v1/kyc/identities"), get("/v1/kyc/requirements", { offer_id: offer.offer_id }),
      get("/v1/kyc/proof-types"),
    ]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) return null; // V1: file at DIDWW
    throw error;
  }
  const requirement = asks.requirement || {};
  const state = { items: identities.items };
  const error = h("p", { class: "error", role: "alert" });
  const identitySelect = h("select", { name: "identity" });
  const addressSelect = h("select", { name: "address" });
  const section = h("fieldset", { class: "kyc-form" }, h("legend", {}, "Register the number with"),
    h("ul", {}, asks.asks.map((line) => h("li", {}, line))),
    h("div", { class: "row" }, h("label", {}, "Identity", identitySelect),
      h("label", {}, "Address", addressSelect)),
    error);

  function fill(choose) {
    const chosen = choose ?? identitySelect.value;
    identitySelect.replaceChildren(...state.items.map((i) =>
      h("option", { value: i.id, selected: i.id === chosen || undefined },
        `${i.name} (${i.identity_type}, ${i.proofs.length} proof(s))`)));
    const identity = state.items.find((i) => i.id === identitySelect.value);
    addressSelect.replaceChildren(...(identity?.addresses || []).map((a) =>
      h("option", { value: a.id }, a.summary || a.city_name)));
  }
  identitySelect.addEventListener("change", () => fill());

  async function reload(select) {
    state.items = (await get("/v1/kyc/identities")).items;
    fill(select); // the identity just filed (or the one chosen) stays chosen
  }

  async function submit(event, send) {
    event.preventDefault();
    error.textContent = "";
    try {
      await send(event.target);
      event.target.reset();
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  const wanted = new Set([...(requirement.personal_mandatory_fields || [])]);
  const identityForm = h("form", { class: "kyc-sub", "aria-label": "New identity" },
    h("label", {}, "Identity type", h("select", { name: "identity_type" },
      h("option", { value: "personal" }, "A person"), h("option", { value: "business" }, "A company"))),
    field("First name", "first_name"), field("Last name", "last_name"),
    field("Phone (digits)", "phone_number", "tel"), field("Country (ISO)", "country", "text", offer.country),
    [...wanted].filter((f) => f !== "country").map((f) => {
      const [label, type] = FIELD_LABELS[f] || [f.replace(/_/g, " "), "text"];
      return field(label, f, type);
    }),
    h("button", { type: "submit" }, "File identity"));
  identityForm.addEventListener("submit", (e) => submit(e, async (form) => {
    const made = await call("POST", "/v1/kyc/identities", { body: formData(form) });
    await reload(made.id);
  }));

  const addressForm = h("form", { class: "kyc-sub", "aria-label": "New address" },
    field("Street and number", "address"), field("Postal code", "postal_code"),
    field("City", "city_name"), field("Country (ISO)", "country", "text", offer.country),
    h("button", { type: "submit" }, "File address"));
  addressForm.addEventListener("submit", (e) => submit(e, async (form) => {
    if (!identitySelect.value) throw new Error("File or pick an identity first.");
    await call("POST", `/v1/kyc/identities/${encodeURIComponent(identitySelect.value)}/addresses`,
      { body: formData(form) });
    await reload(identitySelect.value);
  }));

  const proofForm = h("form", { class: "kyc-sub", "aria-label": "New proof" },
    h("label", {}, "Proves", h("select", { name: "entity_type" },
      h("option", { value: "identity" }, "The identity"), h("option", { value: "address" }, "The address"))),
    h("label", {}, "Kind of document", h("select", { name: "proof_type_id" },
      kinds.items.map((k) => h("option", { value: k.id }, `${k.name} (${k.entity_type})`)))),
    h("label", {}, "Document (PDF, JPEG or PNG)", h("input", { type: "file", name: "file",
      accept: "application/pdf,image/jpeg,image/png", required: true })),
    h("button", { type: "submit" }, "Upload proof"));
  proofForm.addEventListener("submit", (e) => submit(e, async (form) => {
    const data = new FormData(form);
    const entity = data.get("entity_type");
    const id = entity === "identity" ? identitySelect.value : addressSelect.value;
    if (!id) throw new Error(`Pick the ${entity} the document proves first.`);
    data.set("entity_id", id);
    await call("POST", "/v1/kyc/proofs", { form: data });
    await reload(identitySelect.value);
  }));

  section.append(
    h("details", {}, h("summary", {}, "File a new identity"), identityForm),
    h("details", {}, h("summary", {}, "File a new address"), addressForm),
    h("details", {}, h("summary", {}, "Upload a proof"), proofForm));
  fill();
  return {
    element: section,
    filing: () => identitySelect.value && addressSelect.value
      ? { identity_id: identitySelect.value, address_id: addressSelect.value } : null,
  };
}
