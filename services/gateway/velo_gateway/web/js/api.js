// The gateway's /v1 API as the page uses it: the bearer token, Problem+JSON errors, live events.

const TOKEN_KEY = "velo.token";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `the server answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  // What the token says about its holder (the gateway checks it; this is only for display).
  get claims() {
    const token = this.token;
    if (!token) return null;
    try {
      const body = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(body));
    } catch {
      return null;
    }
  },
  get isAdmin() { return this.claims?.role === "admin"; },
};

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText, detail: `the server answered ${response.status}` };
  }
}

export async function call(method, path, { body, params, headers, form } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (session.token) init.headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (form !== undefined) init.body = form; // multipart: the browser sets its boundary
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, { detail: "the server cannot be reached; check your connection" });
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.blob();
}

export const get = (path, params) => call("GET", path, { params });

// Server-sent events read with fetch (EventSource cannot send a bearer token), resumed after a
// drop with Last-Event-ID so that no event published meanwhile is lost.
export class LiveEvents {
  constructor(onEvent, onState) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastId = null;
    this.stopped = false;
    this.controller = null;
  }

  start() {
    this.stopped = false;
    this.loop();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
  }

  // Drops the connection as a network fault would; the loop reconnects and resumes.
  drop() {
    this.controller?.abort();
  }

  async loop() {
    let delay = 500;
    while (!this.stopped) {
      try {
        await this.once();
        delay = 500;
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          this.onState("signed-out");
          return;
        }
        if (error instanceof ApiError && error.status === 400) this.lastId = null;
      }
      if (this.stopped) return;
      this.onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  }

  async once() {
    this.controller = new AbortController();
    const headers = { Accept: "text/event-stream", Authorization: `Bearer ${session.token}` };
    if (this.lastId) headers["Last-Event-ID"] = this.lastId;
    const response = await fetch("/v1/events", { headers, signal: this.controller.signal });
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  dispatch(frame) {
    let id = null;
    const data = [];
    for (const line of frame.split("\n")) {
      if (line === ": connected") this.onState("live");
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (id) this.lastId = id;
    if (data.length) this.onEvent(JSON.parse(data.join("\n")));
  }
}
