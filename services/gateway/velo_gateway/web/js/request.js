// Request number: country → type → live inventory → a number or the next available → confirm →
// live progress until Active (or the reason it was refused).

import { call, get } from "./api.js";
import { kycForm } from "./kyc.js";
import { $, chip, closeDialog, h, money, openDialog, requirementText, showError } from "./ui.js";

const STEPS = ["requested", "ordering", "registering", "approved", "active"];
const FINAL = new Set(["active", "rejected", "failed"]);
const state = { countries: null, areas: [], cursor: null, choice: null, request: null, timer: null };

export function setUp() {
  $("request-button").addEventListener("click", open);
  $("request-close").addEventListener("click", () => closeDialog("request-dialog"));
  $("request-country").addEventListener("change", () => { fillTypes(); loadAreas(); });
  $("request-type").addEventListener("change", loadAreas);
  $("request-search").addEventListener("click", () => search(false));
  $("request-more").addEventListener("click", () => search(true));
  $("request-next").addEventListener("click", review);
  $("request-back").addEventListener("click", () => show("pick"));
  $("request-confirm-button").addEventListener("click", confirm);
}

function show(stage) {
  $("request-pick").hidden = stage !== "pick";
  $("request-confirm").hidden = stage !== "confirm";
  $("request-progress").hidden = stage !== "progress";
  $("request-next").hidden = stage !== "pick";
  $("request-back").hidden = stage !== "confirm";
  $("request-confirm-button").hidden = stage !== "confirm";
  showError("request-error", null);
}

async function open() {
  state.choice = null;
  state.request = null;
  clearTimeout(state.timer);
  $("request-offers").replaceChildren();
  $("request-hint").textContent = "Choose a country and type, then search.";
  $("request-next").disabled = true;
  $("request-more").hidden = true;
  show("pick");
  openDialog("request-dialog");
  try {
    state.countries ||= await get("/v1/countries");
  } catch (error) {
    showError("request-error", error);
    return;
  }
  const select = $("request-country");
  if (!select.options.length) {
    select.replaceChildren(...state.countries.map((c) =>
      h("option", { value: c.iso }, `${c.name} (+${c.prefix})`)));
    select.value = state.countries.some((c) => c.iso === "US") ? "US" : state.countries[0]?.iso;
  }
  fillTypes();
  await loadAreas();
  select.focus();
}

function fillTypes() {
  const country = state.countries.find((c) => c.iso === $("request-country").value);
  const labels = { local: "Local", mobile: "Mobile", toll_free: "Toll-free" };
  $("request-type").replaceChildren(...(country?.types || []).map((t) =>
    h("option", { value: t }, labels[t] || t)));
}

async function loadAreas() {
  const country = $("request-country").value;
  const type = $("request-type").value;
  state.areas = [];
  $("request-area").replaceChildren(h("option", { value: "" }, "Any area"));
  if (!country || !type) return;
  try {
    const found = await get(`/v1/countries/${country}/areas`, { type });
    state.areas = found.items;
  } catch {
    return; // the area filter is optional; the search still works without it
  }
  $("request-area").append(...state.areas.map((a) =>
    h("option", { value: a.id }, `${a.name}${a.region ? `, ${a.region}` : ""} (${a.numbers_on_offer})`)));
}

async function search(more) {
  const params = {
    country: $("request-country").value, type: $("request-type").value,
    area: $("request-area").value, contains: $("request-contains").value.trim(), limit: 20,
    cursor: more ? state.cursor : undefined,
  };
  showError("request-error", null);
  $("request-hint").textContent = "Searching DIDWW's live inventory…";
  if (!more) {
    $("request-offers").replaceChildren();
    state.choice = null;
    $("request-next").disabled = true;
  }
  try {
    const page = await get("/v1/inventory", params);
    state.cursor = page.next_cursor;
    $("request-more").hidden = !page.next_cursor;
    if (!more) $("request-offers").append(nextAvailable(params));
    $("request-offers").append(...page.items.map(offerChoice));
    const count = $("request-offers").querySelectorAll("[data-offer]").length;
    $("request-hint").textContent = count
      ? `${count} numbers on offer. Pick one, or the next available.`
      : "No number listed for this search; DIDWW can still give you the next available one.";
  } catch (error) {
    $("request-hint").textContent = "";
    showError("request-error", error);
  }
}

function badges(offer) {
  const list = [];
  if (offer.features?.sms_inbound) list.push(h("span", { class: "badge sms", title: "Receives SMS" }, "SMS"));
  if (offer.kyc_required) list.push(h("span", { class: "badge kyc" }, "KYC"));
  return list;
}

function choice(label, detail, picked, attrs = {}) {
  const input = h("input", { type: "radio", name: "offer", onchange: () => {
    state.choice = picked;
    $("request-next").disabled = false;
  } });
  return h("label", { class: "offer", ...attrs }, input, h("span", { class: "offer-text" }, label), detail);
}

function offerChoice(offer) {
  const prices = `${money(offer.monthly_price, offer.currency)}/month · setup ${money(offer.setup_price, offer.currency)}`;
  const detail = h("span", { class: "offer-detail" }, offer.area || "", " · ", prices, " ", badges(offer),
    offer.kyc_required ? h("small", { class: "kyc-text" }, requirementText(offer.requirement)) : null);
  return choice(offer.number, detail, { kind: "offer", offer }, { "data-offer": offer.offer_id });
}

function nextAvailable(params) {
  const area = state.areas.find((a) => a.id === params.area);
  const areas = area ? [area] : state.areas;
  const from = Math.min(...areas.map((a) => Number(a.monthly_price_from)));
  const to = Math.max(...areas.map((a) => Number(a.monthly_price_to)));
  const setup = Math.min(...areas.map((a) => Number(a.setup_price_from)));
  const currency = areas[0]?.currency || "USD";
  const kyc = areas.some((a) => a.kyc_required);
  const price = areas.length
    ? `${money(from, currency)}${to > from ? `–${money(to, currency)}` : ""}/month · setup from ${money(setup, currency)}`
    : "price as DIDWW lists it";
  const country = state.countries.find((c) => c.iso === params.country);
  const where = area ? area.name : country?.name || params.country;
  const picked = { kind: "next", country: params.country, type: params.type, area: area?.name,
    price, kyc, where };
  const detail = h("span", { class: "offer-detail" }, price, kyc ? h("span", { class: "badge kyc" }, "KYC") : null);
  return choice(`Next available number in ${where}`, detail, picked, { "data-next": "" });
}

async function review() {
  const picked = state.choice;
  if (!picked) return;
  state.kyc = null;
  $("request-kyc-form").replaceChildren();
  if (picked.kind === "offer") {
    const o = picked.offer;
    $("request-summary").textContent =
      `You are requesting ${o.number} (${o.country} ${o.type.replace("_", "-")}, ${o.area || "any area"}). ` +
      `Billed on delivery: ${money(o.setup_price, o.currency)} setup, then ` +
      `${money(o.monthly_price, o.currency)} a month until you release it.`;
    $("request-kyc").hidden = !o.kyc_required;
    $("request-kyc").textContent = o.kyc_required
      ? `Documents needed: ${requirementText(o.requirement)} Without them the request is refused and nothing is billed.`
      : "";
    if (o.kyc_required) {
      try {
        state.kyc = await kycForm(o);
      } catch (error) {
        showError("request-error", error);
      }
      if (state.kyc) {
        $("request-kyc").textContent = "Documents needed: DIDWW checks them before anything is bought.";
        $("request-kyc-form").append(state.kyc.element);
      }
    }
  } else {
    $("request-summary").textContent =
      `You are requesting the next available number in ${picked.where}. Billed on delivery: ${picked.price}, ` +
      "monthly until you release it.";
    $("request-kyc").hidden = !picked.kyc;
    $("request-kyc").textContent = picked.kyc
      ? "Some numbers here need documents; without them the request is refused and nothing is billed." : "";
  }
  state.key = globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random()}`;
  show("confirm");
  $("request-confirm-button").focus();
}

async function confirm() {
  const picked = state.choice;
  const body = picked.kind === "offer"
    ? { offer_id: picked.offer.offer_id }
    : { country: picked.country, type: picked.type, next_available: true, area: picked.area };
  if (state.kyc) {
    const filing = state.kyc.filing();
    if (!filing) {
      showError("request-error", new Error("Pick an identity and an address (or file them) first."));
      return;
    }
    Object.assign(body, filing);
  }
  $("request-steps").querySelector('[data-step="registering"]').hidden = !state.kyc;
  $("request-confirm-button").disabled = true;
  try {
    const accepted = await call("POST", "/v1/number-requests",
      { body, headers: { "Idempotency-Key": state.key } });
    state.request = { id: accepted.id, number: picked.offer?.number, status: accepted.status };
    show("progress");
    progress({ status: accepted.status });
    refresh();
  } catch (error) {
    const missing = error.problem?.missing;
    showError("request-error", missing
      ? new Error(`DIDWW's check found missing: ${missing.map((m) => `${m.entity || "request"} ${m.field}: ${m.detail}`).join("; ")}`)
      : error);
  } finally {
    $("request-confirm-button").disabled = false;
  }
}

// A live event of the request (or of its number) moves the progress on.
export function onEvent(event) {
  const request = state.request;
  if (!request || FINAL.has(request.status)) return;
  const mine = event.request_id === request.id || (request.number && event.number === request.number);
  if (mine) refresh();
}

async function refresh() {
  const request = state.request;
  clearTimeout(state.timer);
  try {
    const found = await get(`/v1/number-requests/${request.id}`);
    if (state.request !== request) return;
    request.status = found.status;
    request.number ||= found.number;
    progress(found);
  } catch {
    // read again below
  }
  // An event can reach the page just before ordering has folded it: read again until final.
  if (!FINAL.has(request.status)) state.timer = setTimeout(refresh, 2000);
}

function progress(found) {
  const reached = STEPS.indexOf(found.status);
  for (const item of $("request-steps").children) {
    const index = STEPS.indexOf(item.dataset.step);
    item.classList.toggle("done", reached >= index);
    item.toggleAttribute("aria-current", reached === index);
  }
  const outcome = $("request-outcome");
  const number = found.number || state.request?.number || "The number";
  if (found.status === "active") {
    outcome.replaceChildren(chip("active"), ` ${number} is Active: it rings in PortSIP and can be assigned.`);
  } else if (found.status === "registering") {
    const registration = found.registration || {};
    const words = { pending: "DIDWW is reviewing the documents", rejected:
      `DIDWW rejected the documents: ${(registration.reasons || []).join("; ")}` };
    outcome.replaceChildren(chip("registering"), ` ${words[registration.status] || "Filing the registration…"}`);
  } else if (found.status === "rejected" || found.status === "failed") {
    outcome.replaceChildren(chip(found.status), ` ${found.detail || found.reason || "The request ended."}`,
      found.reason === "kyc_required" ? " See Alerts for what to file." : "");
  } else {
    outcome.replaceChildren(chip(found.status), " Working on it…");
  }
}
