// The relay console's page script: signs in, shows the four screens, grants and revokes roles.
// Data is written with textContent only, never as HTML.
'use strict';

const state = { antiForgeryToken: null, roles: [] };
const byId = (id) => document.getElementById(id);
const screens = ['devices', 'outcomes', 'journal', 'grants'];
const loaders = { devices: loadDevices, outcomes: loadOutcomes, journal: async () => {}, grants: loadGrants };

async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.antiForgeryToken) headers['X-CrdtSync-Console-Token'] = state.antiForgeryToken;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((data && data.error) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    if (response.status === 401 && path !== '/api/session') showSignIn('Your session ended: sign in again.');
    throw error;
  }
  return data;
}

function say(text) { byId('status').textContent = text; }

function when(value) {
  return value ? new Date(value).toLocaleString() : 'never';
}

function cell(row, label, text, className) {
  const td = document.createElement('td');
  td.dataset.label = label;
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function tag(parent, text, kind) {
  const span = document.createElement('span');
  span.className = `tag ${kind}`;
  span.textContent = text;
  parent.appendChild(span);
}

function showSignIn(message) {
  state.antiForgeryToken = null;
  byId('console').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in').hidden = false;
  byId('sign-in-error').textContent = message || '';
  byId('credential').focus();
}

function showConsole(session) {
  state.antiForgeryToken = session.antiForgeryToken;
  byId('sign-in').hidden = true;
  byId('sign-out').hidden = false;
  byId('console').hidden = false;
  select('devices', false);
}

function select(screen, focus) {
  say('');
  for (const name of screens) {
    const tab = byId(`tab-${name}`);
    const on = name === screen;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    byId(`panel-${name}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  loaders[screen]().catch((error) => say(error.message));
}

async function loadDevices() {
  const view = await call('GET', '/api/devices');
  byId('devices-head').textContent = `Log head: ${view.logHead}. "Behind" counts log sequences between a device's last cursor and the head.`;
  const body = byId('devices').tBodies[0];
  body.replaceChildren();
  for (const device of view.devices) {
    const row = body.insertRow();
    row.dataset.replica = device.replicaId;
    cell(row, 'User', device.user);
    cell(row, 'Device', device.label === device.user ? device.replicaId : `${device.label} (${device.replicaId})`, 'mono');
    cell(row, 'Last handshake', when(device.lastHandshakeAt));
    cell(row, 'Cursor', device.cursor === null ? 'none yet' : String(device.cursor), 'number');
    cell(row, 'Behind', device.behind === null ? 'unknown' : String(device.behind), 'number behind-count');
    const status = cell(row, 'Status', '');
    if (device.revoked) tag(status, 'revoked', 'revoked');
    else if (device.behind === 0) tag(status, 'caught up', 'current');
    else if (device.behind !== null) tag(status, 'behind', 'behind');
    else tag(status, 'not seen', 'unseen');
  }
  if (view.devices.length === 0) cell(body.insertRow(), 'Devices', 'No devices are registered.');
  say(`Devices as of ${new Date().toLocaleTimeString()}.`);
}

async function loadOutcomes() {
  const view = await call('GET', '/api/outcomes');
  byId('outcomes-window').textContent = `From ${when(view.from)} to ${when(view.to)}: ${view.total} changes decided.`;
  const body = byId('outcomes').tBodies[0];
  body.replaceChildren();
  for (const kind of view.kinds) {
    const row = body.insertRow();
    row.dataset.kind = kind.kind;
    cell(row, 'Outcome', kind.kind.replace('_', ' '));
    cell(row, 'Changes', String(kind.count), 'number');
    const share = cell(row, 'Share', '');
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = Math.max(view.total, 1);
    meter.value = kind.count;
    meter.setAttribute('aria-label', `${kind.kind}: ${kind.count} of ${view.total}`);
    share.appendChild(meter);
  }
  say(`Outcomes as of ${new Date().toLocaleTimeString()}.`);
}

function writeRows(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const entry of rows) {
    const row = body.insertRow();
    cell(row, 'Field', entry.field);
    cell(row, 'Value', entry.value);
    cell(row, 'Written by', `${entry.writer} #${entry.writerSequence}`, 'mono');
    cell(row, 'At', when(entry.writtenAt || entry.stampedAt));
  }
  if (rows.length === 0) cell(body.insertRow(), 'Journal', 'Nothing.');
}

async function lookUpRecord(event) {
  event.preventDefault();
  const collection = byId('journal-collection').value.trim();
  const id = byId('journal-id').value.trim();
  try {
    const view = await call('GET', `/api/records/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`);
    if (!view.found) {
      byId('journal-result').hidden = true;
      byId('journal-summary').textContent = `The relay has no record ${view.collection}/${view.id}.`;
      return;
    }
    byId('journal-summary').textContent =
      `${view.collection}/${view.id}${view.deleted ? ' (deleted)' : ''}: ${view.journal.length} journal entr${view.journal.length === 1 ? 'y' : 'ies'}.`;
    writeRows(byId('record-fields'), view.fields);
    writeRows(byId('journal'), view.journal);
    byId('journal-result').hidden = false;
  } catch (error) {
    byId('journal-result').hidden = true;
    byId('journal-summary').textContent = error.message;
  }
}

async function loadGrants() {
  const view = await call('GET', '/api/grants');
  state.roles = view.roles;
  const choice = byId('grant-role');
  const chosen = choice.value;
  choice.replaceChildren(...view.roles.map((role) => new Option(role, role, false, role === chosen)));
  const body = byId('grants').tBodies[0];
  body.replaceChildren();
  for (const user of view.users) {
    const row = body.insertRow();
    row.dataset.user = user.user;
    cell(row, 'User', user.user);
    cell(row, 'Devices', String(user.devices), 'number');
    const roles = cell(row, 'Roles', '');
    if (user.roles.length === 0) roles.textContent = 'none';
    for (const role of user.roles) {
      const item = document.createElement('span');
      item.className = 'role';
      item.textContent = role;
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'quiet';
      revoke.textContent = 'Revoke';
      revoke.setAttribute('aria-label', `Revoke ${role} from ${user.user}`);
      revoke.addEventListener('click', () => setGrant(user.user, role, false));
      item.appendChild(revoke);
      roles.appendChild(item);
    }
  }
}

async function setGrant(user, role, granted) {
  try {
    const result = await call('POST', '/api/grants', { user, role, granted });
    const verb = granted ? 'granted to' : 'revoked from';
    say(result.changed ? `Role ${role} ${verb} ${user}.` : `Nothing changed: ${role} was already ${granted ? 'granted to' : 'not held by'} ${user}.`);
    await loadGrants();
  } catch (error) {
    say(error.message);
  }
}

function onTabKey(event) {
  const index = screens.findIndex((name) => byId(`tab-${name}`) === event.target);
  if (index < 0) return;
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (step) {
    event.preventDefault();
    select(screens[(index + step + screens.length) % screens.length], true);
  }
}

async function signIn(event) {
  event.preventDefault();
  const credential = byId('credential');
  try {
    const session = await call('POST', '/api/session', { credential: credential.value });
    credential.value = '';
    showConsole(session);
  } catch (error) {
    byId('sign-in-error').textContent = error.message;
    credential.select();
  }
}

async function signOut() {
  try {
    await call('DELETE', '/api/session');
  } finally {
    showSignIn('Signed out.');
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  byId('sign-in-form').addEventListener('submit', signIn);
  byId('sign-out').addEventListener('click', signOut);
  byId('refresh-devices').addEventListener('click', () => loadDevices().catch((error) => say(error.message)));
  byId('refresh-outcomes').addEventListener('click', () => loadOutcomes().catch((error) => say(error.message)));
  byId('journal-form').addEventListener('submit', lookUpRecord);
  byId('grant-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setGrant(byId('grant-user').value.trim(), byId('grant-role').value, true);
  });
  for (const name of screens) byId(`tab-${name}`).addEventListener('click', () => select(name, false));
  document.querySelector('.tabs').addEventListener('keydown', onTabKey);
  try {
    showConsole(await call('GET', '/api/session'));
  } catch {
    showSignIn('');
  }
});
