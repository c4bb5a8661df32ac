// The Phone numbers page: sign-in, sections, alerts and the live event stream that feeds them.

import { ApiError, LiveEvents, call, get, session } from "./api.js";
import * as audit from "./audit.js";
import * as numbers from "./numbers.js";
import * as request from "./request.js";
import { $, closeDialog, h, notice, openDialog, showError, when } from "./ui.js";

const LIVE_WORDS = { live: "live", reconnecting: "reconnecting…", "signed-out": "signed out" };
let live = null;

function onLiveState(value) {
  $("live").textContent = LIVE_WORDS[value] || value;
  $("live").dataset.state = value;
  if (value === "signed-out") signOut("Your session has ended; sign in again.");
}

function onEvent(event) {
  numbers.onEvent(event);
  request.onEvent(event);
  if (event.type === "AdminAlertRaised") alerts.raised(event);
}

async function showSignIn(message) {
  for (const id of ["numbers-view", "audit-view", "who", "sections"]) $(id).hidden = true;
  $("sign-in-view").hidden = false;
  $("sign-in-error").textContent = message || "";
  try {
    const options = await get("/dev/sign-in");
    $("dev-tenant").replaceChildren(...options.tenants.map((t) => h("option", { value: t }, t)));
    $("dev-sign-in").hidden = false;
    suggestUser();
  } catch {
    $("dev-sign-in").hidden = true; // production: the host application's token only
  }
}

function suggestUser() {
  const role = $("dev-role").value;
  $("dev-user").value = `${role}@${$("dev-tenant").value}`;
}

async function signIn(token) {
  session.token = token;
  try {
    await get("/v1/numbers", { limit: 1 });
  } catch (error) {
    session.token = null;
    const words = error instanceof ApiError && error.status === 401
      ? `This token was refused: ${error.message}` : error.message;
    showSignIn(words);
    return;
  }
  start();
}

function signOut(message) {
  live?.stop();
  live = null;
  session.token = null;
  showSignIn(message);
}

function showView(name) {
  $("numbers-view").hidden = name !== "numbers";
  $("audit-view").hidden = name !== "audit";
  for (const tab of document.querySelectorAll(".tab[data-view]")) {
    if (tab.dataset.view === name) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  if (name === "audit") audit.load(false);
}

async function start() {
  const claims = session.claims || {};
  document.body.classList.toggle("is-admin", session.isAdmin);
  $("sign-in-view").hidden = true;
  $("who").hidden = false;
  $("sections").hidden = false;
  $("who-text").textContent = `${claims.sub} · ${claims.tenant_id} · ${claims.role}`;
  notice("");
  showView("numbers");
  await numbers.loadDirectory();
  await numbers.load();
  if (session.isAdmin) alerts.load();
  live = new LiveEvents(onEvent, onLiveState);
  live.start();
  window.veloLive = live; // lets a test drop the connection as a network fault would
}

const alerts = {
  items: [],
  arrived: new Map(), // alerts seen on the stream that the audit log has not stored yet
  raised(event) {
    this.arrived.set(event.alert_id, {
      id: event.alert_id, severity: event.severity, title: event.title, detail: event.detail,
      number: event.number, created_at: event.occurred_at, read: false,
    });
    this.show();
    this.load();
  },
  async load() {
    if (!session.isAdmin) return;
    try {
      this.items = (await get("/v1/alerts")).items;
    } catch {
      return;
    }
    for (const alert of this.items) this.arrived.delete(alert.id);
    this.show();
  },
  show() {
    const items = [...this.arrived.values(), ...this.items];
    const unread = items.filter((a) => !a.read).length;
    $("alerts-count").textContent = String(unread);
    $("alerts-button").setAttribute("aria-label", `Alerts, ${unread} unread`);
    $("alerts-empty").hidden = items.length > 0;
    $("alerts-list").replaceChildren(...items.map((alert) => h("li",
      { class: `alert alert-${alert.severity}${alert.read ? " read" : ""}`, "data-alert": alert.id },
      h("strong", {}, alert.title),
      h("p", {}, alert.detail),
      h("small", {}, [alert.number, when(alert.created_at)].filter(Boolean).join(" · ")),
      alert.read ? h("span", { class: "note" }, "read") : h("button", {
        type: "button", onclick: () => this.markRead(alert.id),
        "aria-label": `Mark read: ${alert.title}`,
      }, "Mark read"))));
  },
  async markRead(id) {
    try {
      await call("POST", `/v1/alerts/${encodeURIComponent(id)}/read`);
      this.arrived.delete(id);
    } catch (error) {
      notice(`The alert could not be marked read: ${error.message}`);
    }
    await this.load();
  },
};

function setUp() {
  numbers.setUp();
  request.setUp();
  audit.setUp();
  $("dev-role").addEventListener("change", suggestUser);
  $("dev-tenant").addEventListener("change", suggestUser);
  $("dev-sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("sign-in-error", null);
    try {
      const minted = await call("POST", "/dev/token", { body: {
        tenant_id: $("dev-tenant").value, user_id: $("dev-user").value.trim(), role: $("dev-role").value,
      } });
      await signIn(minted.token);
    } catch (error) {
      showError("sign-in-error", error);
    }
  });
  $("token-sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("token").value.trim().replace(/^Bearer\s+/i, ""));
  });
  $("sign-out").addEventListener("click", () => signOut(""));
  for (const tab of document.querySelectorAll(".tab[data-view]")) {
    tab.addEventListener("click", () => showView(tab.dataset.view));
  }
  $("alerts-button").addEventListener("click", () => {
    alerts.load();
    openDialog("alerts-dialog");
  });
  $("alerts-close").addEventListener("click", () => closeDialog("alerts-dialog"));
  if (session.token) signIn(session.token);
  else showSignIn();
}

setUp();
