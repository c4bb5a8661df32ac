// The audit trail: who did what, when — filtered, paged, exported as CSV.

import { call, get } from "./api.js";
import { $, h, money, notice, when } from "./ui.js";

const TYPES = [
  "RequestNumber", "RequestNumbers", "ReleaseNumber", "AssignNumber", "ReassignNumber",
  "UnassignNumber", "SubmitRegistration", "NumberRequested", "NumberRequestRejected", "NumberRequestFailed", "NumberOrdered",
  "NumberApproved", "NumberImported", "NumberReleased", "RoutingConfigured", "RoutingFailed",
  "RoutingRemoved", "NumberAssigned", "NumberReassigned", "NumberUnassigned",
  "AssignmentRejected", "AdminAlertRaised", "BulkRequested", "BulkProgressed",
  "KycRecordFiled", "NumberAwaitingRegistration", "RegistrationSubmitted", "RegistrationRejected",
];
const state = { cursor: null };

export function setUp() {
  $("audit-type").append(...TYPES.map((t) => h("option", { value: t }, t)));
  $("audit-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load(false);
  });
  $("audit-more").addEventListener("click", () => load(true));
  $("audit-csv").addEventListener("click", exportCsv);
}

function filters() {
  const params = {
    type: $("audit-type").value,
    number: $("audit-number").value.trim(),
    actor: $("audit-actor").value.trim(),
  };
  for (const [name, id] of [["from", "audit-from"], ["to", "audit-to"]]) {
    const value = $(id).value;
    if (value) params[name] = new Date(value).toISOString();
  }
  return params;
}

export async function load(more = false) {
  try {
    const page = await get("/v1/audit", { ...filters(), limit: 50, cursor: more ? state.cursor : undefined });
    state.cursor = page.next_cursor;
    const rows = page.items.map(rowOf);
    if (more) $("audit-body").append(...rows);
    else $("audit-body").replaceChildren(...rows);
    $("audit-empty").hidden = $("audit-body").children.length > 0;
    $("audit-more").hidden = !page.next_cursor;
  } catch (error) {
    notice(`The audit log could not be loaded: ${error.message}`);
  }
}

function target(t) {
  return t ? `${t.type.replace("_", " ")} ${t.id}` : null;
}

function summary(entry) {
  const p = entry.payload || {};
  const parts = {
    NumberOrdered: () => `order ${p.order_reference}, ${money(p.amount, p.currency)}`,
    NumberApproved: () => `delivered, billed ${money(p.amount, p.facts?.currency)}`,
    NumberReleased: () => `billing stopped ${when(p.billing_stopped_at)}`,
    NumberAssigned: () => [p.outbound_agent && `caller ID of ${p.outbound_agent}`,
      target(p.inbound_target) && `rings ${target(p.inbound_target)}`].filter(Boolean).join(", "),
    NumberReassigned: () => `caller ID moved from ${p.from_agent} to ${p.to_agent}`,
    NumberUnassigned: () => `was ${p.previous_agent || "nobody"}'s`,
    RoutingConfigured: () => `PortSIP rings ${p.inbound_destination}`,
    NumberRequestRejected: () => p.detail,
    NumberRequestFailed: () => p.detail,
    AssignmentRejected: () => p.detail,
    RoutingFailed: () => p.detail,
    AdminAlertRaised: () => p.title,
    KycRecordFiled: () => [p.summary, ...(p.documents || []).map((d) =>
      `${d.file_name} (${d.content_type}, ${d.size_bytes} bytes)`)].join("; "),
    NumberAwaitingRegistration: () => `delivered, billed ${money(p.amount, p.facts?.currency)}; registration next`,
    RegistrationSubmitted: () => `registration ${p.reference || p.verification_id} filed`,
    RegistrationRejected: () => `registration rejected: ${(p.reasons || []).join("; ")}`,
  }[entry.type];
  return parts ? parts() || "" : "";
}

function rowOf(entry) {
  return h("tr", { "data-type": entry.type },
    h("td", {}, when(entry.occurred_at)),
    h("td", {}, entry.type),
    h("td", {}, entry.number || "—"),
    h("td", {}, entry.actor?.user_id || "—"),
    h("td", {}, summary(entry)));
}

async function exportCsv() {
  try {
    const blob = await call("GET", "/v1/audit.csv", { params: filters(), headers: { Accept: "text/csv" } });
    const link = h("a", { href: URL.createObjectURL(blob), download: "audit.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    notice(`The export failed: ${error.message}`);
  }
}
