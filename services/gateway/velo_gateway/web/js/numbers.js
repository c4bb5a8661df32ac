// The Phone numbers list: filters, pages, live rows; assign, reassign, unassign, release, history.

import { call, get, session } from "./api.js";
import { $, chip, closeDialog, h, money, notice, openDialog, showError, when } from "./ui.js";

const PAGE_SIZE = 25;
const state = { cursors: [null], page: 0, next: null, rows: new Map(), directory: null };
const waits = new Map(); // number → a change the admin waits for (assign or release)

export function setUp() {
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    state.cursors = [null];
    state.page = 0;
    load();
  });
  $("numbers-next").addEventListener("click", () => {
    state.cursors[state.page + 1] = state.next;
    state.page += 1;
    load();
  });
  $("numbers-prev").addEventListener("click", () => {
    state.page = Math.max(0, state.page - 1);
    load();
  });
  $("assign-close").addEventListener("click", () => closeDialog("assign-dialog"));
  $("release-close").addEventListener("click", () => closeDialog("release-dialog"));
  $("history-close").addEventListener("click", () => closeDialog("history-dialog"));
  $("assign-target-type").addEventListener("change", fillTargets);
  $("assign-form").addEventListener("submit", saveAssignment);
  $("assign-unassign").addEventListener("click", unassign);
  $("release-form").addEventListener("submit", release);
}

function filters() {
  const form = new FormData($("filters"));
  const params = Object.fromEntries([...form.entries()].map(([k, v]) => [k, String(v).trim()]));
  if (params.country) params.country = params.country.toUpperCase();
  return params;
}

let loading = null;
let again = null;
export async function load() {
  const mine = (loading = Symbol("load"));
  const params = { ...filters(), limit: PAGE_SIZE, cursor: state.cursors[state.page] };
  if (params.status === "held") delete params.status;
  try {
    const page = await get("/v1/numbers", params);
    if (mine !== loading) return; // a newer load replaced this one
    state.next = page.next_cursor;
    render(page.items);
  } catch (error) {
    notice(`The list could not be loaded: ${error.message}`);
  }
  for (const wait of waits.values()) wait.check();
  // A row on its way (provisioning, PortSIP not confirmed yet) is read again until it settles:
  // its last event can reach the page just before the list has folded it.
  const moving = [...state.rows.values()].some((r) => r.status === "provisioning" || r.pending_change);
  clearTimeout(again);
  if (moving || waits.size) again = setTimeout(load, 2000);
}

function render(items) {
  state.rows = new Map(items.map((row) => [row.number, row]));
  $("numbers-body").replaceChildren(...items.map(rowOf));
  $("numbers-empty").hidden = items.length > 0;
  $("numbers-prev").disabled = state.page === 0;
  $("numbers-next").disabled = !state.next;
}

function agentName(extension) {
  if (!extension) return "—";
  const entry = state.directory?.agents.find((a) => a.extension === extension);
  return entry ? `${entry.name} (${extension})` : extension;
}

function targetName(row) {
  const target = row.inbound_target;
  if (!target) return row.inbound_destination ? `default (${row.inbound_destination})` : "—";
  const section = { queue: "queues", ring_group: "ring_groups" }[target.type] || "agents";
  const entry = state.directory?.[section]?.find((e) => e.extension === target.id);
  const kind = target.type.replace("_", " ");
  return entry ? `${kind} ${entry.name} (${target.id})` : `${kind} ${target.id}`;
}

function statusCell(row) {
  const notes = [];
  if (row.status === "released") notes.push(`billing stopped ${when(row.released_at)}`);
  if (row.pending_change) notes.push("waiting for PortSIP");
  if (row.routing_error) notes.push(`PortSIP: ${row.routing_error}`);
  if (row.kyc_required) notes.push("KYC");
  return h("td", {}, chip(row.status), ...notes.map((n) => h("small", { class: "note" }, n)));
}

function rowOf(row) {
  const actions = h("td", { class: "actions-cell" },
    h("button", { type: "button", onclick: () => history(row.number),
      "aria-label": `History of ${row.number}` }, "History"));
  if (session.isAdmin && row.status === "active") {
    actions.append(
      h("button", { type: "button", onclick: () => openAssign(row.number),
        "aria-label": `Assign ${row.number}` }, "Assign"),
      h("button", { type: "button", class: "danger", onclick: () => openRelease(row.number),
        "aria-label": `Release ${row.number}` }, "Release"));
  }
  return h("tr", { "data-number": row.number, "data-status": row.status },
    h("th", { scope: "row" }, row.number),
    statusCell(row),
    h("td", {}, row.country || "—"),
    h("td", {}, (row.number_type || "—").replace("_", " ")),
    h("td", {}, row.area || "—"),
    h("td", { class: "money" }, money(row.monthly_price, row.currency)),
    h("td", {}, agentName(row.outbound_agent)),
    h("td", {}, targetName(row)),
    h("td", {}, when(row.updated_at)),
    actions);
}

// A live event about a number: reload the page (filters and order stay the server's); the load
// moves on whatever change the admin is waiting for.
let reloadTimer = null;
export function onEvent(event) {
  if (!event.number) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, 150);
}

export async function loadDirectory() {
  if (!session.isAdmin || state.directory) return state.directory;
  try {
    state.directory = await get("/v1/directory");
  } catch (error) {
    notice(`The PBX directory could not be read: ${error.message}`);
  }
  return state.directory;
}

function option(value, label, selected) {
  return h("option", { value, selected: selected || undefined }, label);
}

function fillTargets() {
  const type = $("assign-target-type").value;
  const select = $("assign-target");
  const section = { queue: "queues", ring_group: "ring_groups" }[type] || "agents";
  const entries = type ? state.directory?.[section] || [] : [];
  select.replaceChildren(...entries.map((e) => option(e.extension, `${e.name} (${e.extension})`)));
  select.disabled = !type;
}

async function openAssign(number) {
  const row = state.rows.get(number);
  $("assign-title").textContent = `Assign ${number}`;
  showError("assign-error", null);
  $("assign-status").textContent = "";
  $("assign-form").dataset.number = number;
  openDialog("assign-dialog");
  const directory = await loadDirectory();
  const agents = directory?.agents || [];
  $("assign-agent").replaceChildren(option("", "Nobody"),
    ...agents.map((a) => option(a.extension, `${a.name} (${a.extension})`,
      a.extension === row?.outbound_agent)));
  $("assign-target-type").value = row?.inbound_target?.type || "";
  fillTargets();
  if (row?.inbound_target) $("assign-target").value = row.inbound_target.id;
  $("assign-agent").focus();
}

// Follows a change of a number until its row says how it ended; settled(detail) returns null while
// it is on its way, else {done: text} or {refused: text}.
function follow(number, statusId, errorId, settled) {
  const wait = {
    async check() {
      let detail;
      try {
        detail = await get(`/v1/numbers/${encodeURIComponent(number)}`);
      } catch {
        return; // the next load checks again
      }
      const outcome = settled(detail);
      if (!outcome || waits.get(number) !== wait) return;
      waits.delete(number);
      if (outcome.refused) showError(errorId, new Error(outcome.refused));
      $(statusId).textContent = outcome.done || "";
    },
  };
  waits.set(number, wait);
  wait.check();
}

function applied(ids) {
  return (detail) => {
    const changes = detail.changes.filter((c) => ids.includes(c.command_id));
    const refused = changes.find((c) => c.outcome === "refused");
    if (refused) return { refused: `Refused: ${refused.reason || "the change was refused"}` };
    if (changes.length < ids.length) return null;
    const pending = changes.find((c) => c.routing && c.routing !== "configured");
    if (pending) {
      $("assign-status").textContent = pending.routing === "pending"
        ? "Waiting for PortSIP to confirm…" : `PortSIP: ${pending.routing}`;
      return null;
    }
    return { done: "Done: PortSIP confirmed." };
  };
}

async function saveAssignment(event) {
  event.preventDefault();
  const number = $("assign-form").dataset.number;
  const body = {};
  if ($("assign-agent").value) body.outbound_agent = $("assign-agent").value;
  if ($("assign-target-type").value) {
    body.inbound_target = { type: $("assign-target-type").value, id: $("assign-target").value };
  }
  if (!body.outbound_agent && !body.inbound_target) return unassign();
  await sendChange(number, () => call("PUT", `/v1/numbers/${encodeURIComponent(number)}/assignment`, { body }));
}

async function unassign() {
  const number = $("assign-form").dataset.number;
  await sendChange(number, () => call("DELETE", `/v1/numbers/${encodeURIComponent(number)}/assignment`));
}

async function sendChange(number, send) {
  showError("assign-error", null);
  $("assign-status").textContent = "Sending…";
  try {
    const accepted = await send();
    $("assign-status").textContent = "Accepted; waiting for PortSIP to confirm…";
    const ids = accepted.commands || [accepted.id];
    follow(number, "assign-status", "assign-error", applied(ids));
  } catch (error) {
    $("assign-status").textContent = "";
    showError("assign-error", error);
  }
}

function openRelease(number) {
  const row = state.rows.get(number);
  $("release-title").textContent = `Release ${number}?`;
  $("release-text").textContent =
    `Billing of ${money(row?.monthly_price, row?.currency)} a month stops now. The number goes ` +
    "back to DIDWW and is not held for you: anyone can take it afterwards. Its caller ID and " +
    "routing are removed from PortSIP.";
  $("release-form").dataset.number = number;
  showError("release-error", null);
  $("release-status").textContent = "";
  $("release-confirm").disabled = false;
  openDialog("release-dialog");
  $("release-close").focus();
}

async function release(event) {
  event.preventDefault();
  const number = $("release-form").dataset.number;
  $("release-confirm").disabled = true;
  showError("release-error", null);
  try {
    await call("POST", `/v1/numbers/${encodeURIComponent(number)}/release`,
      { headers: { "Idempotency-Key": `page-${number}-${Date.now()}` } });
    $("release-status").textContent = "Accepted; waiting for DIDWW to confirm…";
    follow(number, "release-status", "release-error", (detail) =>
      detail.status === "released"
        ? { done: `Released: billing stopped ${when(detail.released_at)}.` } : null);
  } catch (error) {
    $("release-confirm").disabled = false;
    showError("release-error", error);
  }
}

async function history(number) {
  $("history-title").textContent = `History of ${number}`;
  $("history-body").replaceChildren(h("p", {}, "Loading…"));
  openDialog("history-dialog");
  try {
    const detail = await get(`/v1/numbers/${encodeURIComponent(number)}`);
    const periods = detail.periods.map((p) => h("li", {},
      `Held from ${when(p.from)} ${p.until ? `until ${when(p.until)}` : "until now"} (${p.origin})`));
    const entries = [...detail.history].reverse().map((e) => h("tr", {},
      h("td", {}, when(e.at)), h("td", {}, e.event), h("td", {}, e.actor?.user_id || "—")));
    $("history-body").replaceChildren(
      h("h3", {}, "Billing periods"), h("ul", {}, periods),
      h("h3", {}, "Changes"),
      h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When"),
          h("th", { scope: "col" }, "What"), h("th", { scope: "col" }, "Who"))),
        h("tbody", {}, entries)));
  } catch (error) {
    $("history-body").replaceChildren(h("p", { class: "error" }, error.message));
  }
  $("history-close").focus();
}
