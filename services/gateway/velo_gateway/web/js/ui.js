// Small DOM helpers: elements built from text only (never HTML), formats an admin reads.

export const $ = (id) => document.getElementById(id);

// h("td", {class: "x"}, "text", child…) — attributes starting with "on" become listeners.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function money(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  const value = Number(amount);
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency || "USD" })
      .format(value);
  } catch {
    return `${amount} ${currency || ""}`.trim();
  }
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString("en-GB", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    second: "2-digit",
  });
}

const STATUS_WORDS = {
  provisioning: "Provisioning", active: "Active", released: "Released",
  requested: "Requested", ordering: "Ordering", approved: "Approved",
  rejected: "Refused", failed: "Failed", registering: "Registering",
};

export function chip(status) {
  return h("span", { class: `chip chip-${status}` }, STATUS_WORDS[status] || status);
}

export function notice(text) {
  $("notice").textContent = text || "";
}

export function showError(id, error) {
  $(id).textContent = error ? (error.message || String(error)) : "";
}

export function openDialog(id) {
  const dialog = $(id);
  if (!dialog.open) dialog.showModal();
  return dialog;
}

export function closeDialog(id) {
  const dialog = $(id);
  if (dialog.open) dialog.close();
}

export function requirementText(requirement) {
  if (!requirement) return "DIDWW needs documents before it delivers this number.";
  const parts = [requirement.restriction_message || "DIDWW needs documents for this number."];
  const proofs = [];
  if (requirement.personal_proof_qty) proofs.push(`${requirement.personal_proof_qty} personal identity proof(s)`);
  if (requirement.business_proof_qty) proofs.push(`${requirement.business_proof_qty} business identity proof(s)`);
  if (requirement.address_proof_qty) proofs.push(`${requirement.address_proof_qty} proof(s) of address`);
  if (proofs.length) parts.push(`It asks for ${proofs.join(", ")}.`);
  if (requirement.where_to_file) parts.push(`File them at ${requirement.where_to_file}.`);
  return parts.join(" ");
}
