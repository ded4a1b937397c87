// The replica console's page: reads the API, renders records and the outbox, and re-reads on every server-sent event.
// Everything is built with DOM calls and textContent (no HTML from data), and every change carries the anti-forgery header.
"use strict";

const token = document.querySelector('meta[name="crdtsync-token"]').content;
const $ = (id) => document.getElementById(id);
let state = null;
let collections = new Map();
let opener = null;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (method !== "GET") headers["X-CrdtSync-Console"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = new Error(json.message || `${response.status} ${response.statusText}`);
    error.code = json.error;
    error.details = json;
    throw error;
  }
  return json;
}

function showError(message) {
  $("error-text").textContent = message;
  $("error").hidden = false;
}

$("error-close").addEventListener("click", () => { $("error").hidden = true; });

const show = (value) => value === null || value === undefined ? "—" : String(value);
const path = (collection, id) => `/api/collections/${encodeURIComponent(collection)}/records${id === undefined ? "" : "/" + encodeURIComponent(id)}`;

// ---- loading and rendering ----

let loading = false;
let again = false;

async function refresh() {
  if (loading) { again = true; return; }
  loading = true;
  try {
    do {
      again = false;
      await load();
    } while (again);
  } catch (error) {
    showError(error.message);
  } finally {
    loading = false;
  }
}

async function load() {
  state = await api("GET", "/api/state");
  const records = await Promise.all(state.collections.map((c) => api("GET", path(c.name))));
  const outbox = await api("GET", "/api/outbox");
  // Read the focus only now: rendering below is synchronous, so focus moved during the fetches is kept too.
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key : null;
  renderHeader();
  renderCollections(records);
  renderOutbox(outbox.entries);
  if (focused) {
    const again = document.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
}

function renderHeader() {
  $("who").textContent = state.user ? `${state.user} (${state.roles.join(", ")}) · replica ${state.replicaId}` : `replica ${state.replicaId} (not configured yet)`;
  $("offline-banner").hidden = !state.offlineMode;
  document.body.dataset.offline = String(state.offlineMode);
  const toggle = $("offline-toggle");
  toggle.textContent = state.offlineMode ? "Go online" : "Go offline";
  toggle.setAttribute("aria-pressed", String(state.offlineMode));
  const sync = state.sync;
  const syncButton = $("sync-all");
  syncButton.disabled = !sync.available || state.offlineMode || syncButton.dataset.running === "true";
  syncButton.title = !sync.available ? "This replica has no relay." : state.offlineMode ? "Go online to sync." : "";
  let connection = sync.available ? `Sync: ${sync.state}` : "No relay: local only";
  if (sync.available && state.offline && !state.offlineMode) connection += " · not connected, online-only actions hidden";
  if (sync.lastError) connection += ` · ${sync.lastError}`;
  $("connection").textContent = connection;
  collections = new Map(state.collections.map((c) => [c.name, c]));
}

function renderCollections(results) {
  const container = $("collections");
  container.replaceChildren(...results.map((result) => {
    const schema = collections.get(result.collection);
    const list = el("ul", { class: "records" }, ...result.records.map((record) => renderRecord(schema, record)));
    return el("section", { class: "collection", "data-collection": result.collection, "aria-labelledby": `title-${result.collection}` },
      el("div", { class: "collection-head" },
        el("h2", { id: `title-${result.collection}`, text: result.collection }),
        el("span", { class: "freshness", text: `offline cache: ${result.freshness.replace("_", " ")}` }),
        schema.canCreate ? el("button", { type: "button", class: "new-record", "data-key": `new:${result.collection}`, text: `New ${result.collection} record`, onclick: (e) => openCreate(schema, e.currentTarget) }) : null),
      result.records.length === 0 ? el("p", { class: "empty", text: "No records here yet." }) : list);
  }));
}

function renderRecord(schema, record) {
  const key = `${record.collection}/${record.id}`;
  const fields = el("dl", { class: "fields" });
  for (const [name, value] of Object.entries(record.fields)) {
    fields.append(el("dt", { text: name }), el("dd", { "data-field": name, text: show(value) }));
  }
  const buttons = el("div", { class: "record-actions" });
  if (record.canEdit) buttons.append(el("button", { type: "button", class: "edit", "data-key": `edit:${key}`, "aria-label": `Edit ${record.id}`, text: "Edit", onclick: (e) => openEdit(schema, record, e.currentTarget) }));
  for (const action of record.actions) {
    const definition = schema.actions.find((a) => a.name === action);
    buttons.append(el("button", { type: "button", class: "action", "data-action": action, "data-key": `action:${key}:${action}`, "aria-label": `${action} ${record.id}`, text: action,
      onclick: (e) => act(schema, record, definition, e.currentTarget) }));
  }
  if (record.canDelete) buttons.append(el("button", { type: "button", class: "delete danger", "data-key": `delete:${key}`, "aria-label": `Delete ${record.id}`, text: "Delete", onclick: () => remove(record) }));
  if (record.locked) {
    buttons.append(el("button", { type: "button", class: "open-entry", "data-key": `open:${key}`, text: `Locked: resolve entry ${record.lockedBy}`,
      onclick: () => { const entry = document.querySelector(`.entry[data-entry="${record.lockedBy}"] button`); if (entry) entry.focus(); } }));
  }
  const title = record.fields.title;
  return el("li", { class: "record", "data-collection": record.collection, "data-id": record.id, "data-status": record.status },
    el("div", { class: "record-head" },
      el("span", { class: `mark mark-${record.status}`, text: record.status }),
      el("strong", { text: title === undefined || title === null ? record.id : String(title) }),
      el("span", { class: "record-id", text: record.id })),
    fields, buttons);
}

function renderOutbox(entries) {
  $("outbox-count").textContent = String(entries.length);
  $("outbox-empty").hidden = entries.length > 0;
  $("outbox-list").replaceChildren(...entries.map((entry) => {
    const what = entry.kind === "action" ? entry.action : entry.kind === "upsert" ? "edit" : "delete";
    const buttons = el("div", { class: "entry-actions" });
    if (entry.resolvable) buttons.append(el("button", { type: "button", class: "resolve", "data-key": `resolve:${entry.entry}`, text: "Resolve", onclick: (e) => openResolve(entry, e.currentTarget) }));
    const isError = entry.status !== "pending";
    buttons.append(el("button", { type: "button", class: "discard danger", "data-key": `discard:${entry.entry}`, text: isError ? "Discard" : "Delete",
      "aria-label": `${isError ? "Discard" : "Delete"} entry ${entry.entry}`, onclick: () => discard(entry) }));
    const changed = Object.entries(entry.mine).map(([name, value]) => `${name} = ${show(value)}`).join(", ");
    return el("li", { class: "entry", "data-entry": String(entry.entry), "data-status": entry.status, "data-record": `${entry.collection}/${entry.id}` },
      el("div", { class: "entry-head" },
        el("span", { class: `mark mark-${entry.status}`, text: entry.detail.replace("_", " ") }),
        el("strong", { text: `${what} ${entry.collection}/${entry.id}` })),
      changed ? el("p", { class: "changed", text: changed }) : null,
      entry.message ? el("p", { class: "message", text: entry.message }) : null,
      buttons);
  }));
}

// ---- record forms ----

function input(field, value) {
  const id = `field-${field.name}`;
  const hint = [field.type, field.required ? "required" : null, field.maxLength ? `at most ${field.maxLength} characters` : null,
    field.min !== null && field.min !== undefined ? `min ${field.min}` : null, field.max !== null && field.max !== undefined ? `max ${field.max}` : null].filter(Boolean).join(", ");
  let control;
  if (field.type === "bool") {
    control = el("select", { id, name: field.name },
      el("option", { value: "", text: "(none)" }), el("option", { value: "true", text: "true" }), el("option", { value: "false", text: "false" }));
    control.value = value === null || value === undefined ? "" : String(value);
  } else {
    control = el("input", { id, name: field.name, type: "text", inputmode: field.type === "int64" || field.type === "float64" ? "decimal" : null, autocomplete: "off" });
    control.value = value === null || value === undefined ? "" : String(value);
  }
  control.dataset.original = control.value;
  return el("label", { for: id }, el("span", { text: field.name }), control, el("span", { class: "hint", text: hint }));
}

function openDialog(dialog, from) {
  // Remember the opener by key: a live update may re-render it while the dialog is open.
  opener = from && from.dataset ? from.dataset.key || null : null;
  dialog.showModal();
  const first = dialog.querySelector("input, select, button:not(.cancel)");
  if (first) first.focus();
}

for (const dialog of document.querySelectorAll("dialog")) {
  dialog.addEventListener("close", () => {
    const target = opener ? document.querySelector(`[data-key="${CSS.escape(opener)}"]`) : null;
    if (target) target.focus();
  });
  for (const cancel of dialog.querySelectorAll(".cancel")) cancel.addEventListener("click", () => dialog.close());
}

let submitRecord = null;

function openCreate(schema, from) {
  $("record-title").textContent = `New ${schema.name} record`;
  const fields = [el("label", { for: "field--id" }, el("span", { text: "id" }), el("input", { id: "field--id", name: "-id", type: "text", autocomplete: "off" }), el("span", { class: "hint", text: "optional; a new id is made when empty" }))];
  for (const field of schema.fields.filter((f) => f.editable)) fields.push(input(field, null));
  $("record-fields").replaceChildren(...fields);
  $("record-error").hidden = true;
  submitRecord = async () => {
    const values = {};
    for (const control of $("record-fields").querySelectorAll("[name]:not([name='-id'])")) if (control.value !== "") values[control.name] = control.value;
    const id = $("field--id").value.trim();
    await api("POST", path(schema.name), id ? { id, fields: values } : { fields: values });
  };
  openDialog($("record-dialog"), from);
}

function openEdit(schema, record, from) {
  $("record-title").textContent = `Edit ${record.collection}/${record.id}`;
  $("record-fields").replaceChildren(...schema.fields.filter((f) => f.editable).map((f) => input(f, record.fields[f.name])));
  $("record-error").hidden = true;
  submitRecord = async () => {
    const values = {};
    for (const control of $("record-fields").querySelectorAll("[name]")) {
      if (control.value !== control.dataset.original) values[control.name] = control.value === "" ? null : control.value;
    }
    if (Object.keys(values).length === 0) return;
    await api("PATCH", path(record.collection, record.id), { fields: values });
  };
  openDialog($("record-dialog"), from);
}

function openArguments(schema, record, definition, from) {
  $("record-title").textContent = `${definition.name} ${record.collection}/${record.id}`;
  $("record-fields").replaceChildren(...definition.arguments.map((f) => input(f, null)));
  $("record-error").hidden = true;
  submitRecord = async () => {
    const values = {};
    for (const control of $("record-fields").querySelectorAll("[name]")) if (control.value !== "") values[control.name] = control.value;
    await api("POST", `${path(record.collection, record.id)}/actions/${encodeURIComponent(definition.name)}`, { arguments: values });
  };
  openDialog($("record-dialog"), from);
}

$("record-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const save = $("record-save");
  save.disabled = true;
  try {
    await submitRecord();
    $("record-dialog").close();
    await refresh();
  } catch (error) {
    $("record-error").textContent = error.message;
    $("record-error").hidden = false;
  } finally {
    save.disabled = false;
  }
});

async function act(schema, record, definition, from) {
  if (definition && definition.arguments.length > 0) { openArguments(schema, record, definition, from); return; }
  try {
    await api("POST", `${path(record.collection, record.id)}/actions/${encodeURIComponent(definition ? definition.name : "")}`, {});
    await refresh();
  } catch (error) { showError(error.message); }
}

async function remove(record) {
  if (!window.confirm(`Delete ${record.collection}/${record.id}? The relay checks nobody changed it meanwhile.`)) return;
  try {
    await api("DELETE", path(record.collection, record.id));
    await refresh();
  } catch (error) { showError(error.message); }
}

// ---- outbox ----

let resolving = null;

function openResolve(entry, from) {
  resolving = entry;
  $("resolve-title").textContent = `Resolve ${entry.kind === "action" ? entry.action : "edit"} of ${entry.collection}/${entry.id}`;
  $("resolve-message").textContent = entry.message || "";
  $("resolve-rows").replaceChildren(...entry.rows.map((row) => {
    const mine = row.editable
      ? el("input", { type: "text", name: row.field, "aria-label": `My ${row.field}`, autocomplete: "off" })
      : el("span", { text: show(row.mine) });
    if (row.editable) mine.value = row.mine === null ? "" : String(row.mine);
    const differs = show(row.mine) !== show(row.relay);
    return el("tr", { "data-field": row.field },
      el("th", { scope: "row", text: row.field }),
      el("td", { class: differs ? "mine differs" : "mine" }, mine),
      el("td", { class: "relay", text: entry.relay ? show(row.relay) : "(not sent)" }));
  }));
  $("resolve-error").hidden = true;
  openDialog($("resolve-dialog"), from);
}

$("resolve-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const inputs = [...$("resolve-rows").querySelectorAll("input[name]")];
  const body = inputs.length === 0 ? {} : { fields: Object.fromEntries(inputs.map((i) => [i.name, i.value === "" ? null : i.value])) };
  try {
    await api("POST", `/api/outbox/${resolving.entry}/resolve`, body);
    $("resolve-dialog").close();
    await refresh();
  } catch (error) {
    $("resolve-error").textContent = error.message;
    $("resolve-error").hidden = false;
  }
});

$("resolve-discard").addEventListener("click", async () => {
  try {
    await api("POST", `/api/outbox/${resolving.entry}/discard`);
    $("resolve-dialog").close();
    await refresh();
  } catch (error) {
    $("resolve-error").textContent = error.message;
    $("resolve-error").hidden = false;
  }
});

async function discard(entry) {
  try {
    await api("POST", `/api/outbox/${entry.entry}/discard`);
    await refresh();
  } catch (error) { showError(error.message); }
}

// ---- offline mode and sync ----

$("offline-toggle").addEventListener("click", async (event) => {
  const goOffline = !state.offlineMode;
  try {
    await api("POST", "/api/offline", { offline: goOffline });
    await refresh();
  } catch (error) {
    if (error.code === "cache_expired") {
      $("cache-message").textContent = error.message;
      openDialog($("cache-dialog"), event.currentTarget);
    } else {
      showError(error.message);
    }
  }
});

$("cache-download").addEventListener("click", async () => {
  const button = $("cache-download");
  button.disabled = true;
  try {
    await runSync(() => api("POST", "/api/download"));
    await api("POST", "/api/offline", { offline: true });
    $("cache-dialog").close();
    await refresh();
  } catch (error) {
    $("cache-message").textContent = error.message;
  } finally {
    button.disabled = false;
  }
});

async function runSync(call) {
  const button = $("sync-all");
  const progress = $("sync-progress");
  button.dataset.running = "true";
  button.disabled = true;
  progress.hidden = false;
  progress.removeAttribute("value");
  $("sync-message").textContent = "Syncing…";
  try {
    const report = await call();
    // Not running any more first: a progress event that arrives late must not overwrite the report.
    button.dataset.running = "false";
    $("sync-message").textContent = `Synced: pushed ${report.pushed} (${report.accepted} accepted, ${report.refused} refused), pulled ${report.pulled}; ${report.pending} pending.`;
    return report;
  } catch (error) {
    button.dataset.running = "false";
    $("sync-message").textContent = "Sync failed.";
    throw error;
  } finally {
    progress.hidden = true;
    await refresh();
  }
}

$("sync-all").addEventListener("click", async () => {
  try { await runSync(() => api("POST", "/api/sync")); } catch (error) { showError(error.message); }
});

function onProgress(data) {
  if ($("sync-all").dataset.running !== "true") return;
  const progress = $("sync-progress");
  if (data.head > 0) {
    progress.max = data.head;
    progress.value = Math.min(data.cursor, data.head);
  }
  if (data.phase && data.phase !== "start") $("sync-message").textContent = `Syncing: ${data.phase}, ${data.pushed || 0} pushed, ${data.received || 0} received…`;
}

// ---- live updates ----

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("hello", () => { document.body.dataset.live = "true"; refresh(); });
  for (const name of ["record", "status", "outbox", "offline", "sync", "synced", "sync_failed"]) events.addEventListener(name, () => refresh());
  events.addEventListener("progress", (event) => onProgress(JSON.parse(event.data)));
  events.onerror = () => { document.body.dataset.live = "false"; };
}

connect();
refresh();
