// The DSO Rollout console: one ES module, no dependencies, no build. It reads the same /api/v1 as every
// client with the caller's bearer token (kept in sessionStorage), and re-reads the page it shows when
// the live event stream says something changed.

const main = document.getElementById("main");
const state = { token: sessionStorage.getItem("dso.token"), programs: [], program: null, who: null, names: {}, namesOf: null, config: null };

// --- tiny helpers ----------------------------------------------------------------------------------------

const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const num = (v, digits = 1) => (v === null || v === undefined ? "–" : Number(v).toLocaleString(undefined, { maximumFractionDigits: digits }));
const day = (v) => (v ? String(v).slice(0, 10) : "–");
const chip = (text, cls = text) => `<span class="chip ${esc(cls)}">${esc(text)}</span>`;
const table = (head, rows, cls = "") =>
  `<table class="${cls}"><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join("")}</tr></thead><tbody>${rows.join("") || `<tr><td colspan="${head.length}" class="muted">Nothing yet.</td></tr>`}</tbody></table>`;

class ApiError extends Error {
  constructor(status, body) { super(body?.error?.message || `HTTP ${status}`); this.status = status; this.body = body; }
}

async function api(path, options = {}) {
  const response = await fetch(`/api/v1${path}`, {
    ...options, headers: { Authorization: `Bearer ${state.token}`, ...(options.body ? { "Content-Type": "application/json" } : {}), ...(options.headers || {}) },
  });
  if (response.status === 401) { signOut("Your session ended — sign in again."); throw new ApiError(401); }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

function claims(token) {
  try { return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))); } catch { return null; }
}

function announce(text) { document.getElementById("status").textContent = text; }

// --- sign in -------------------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem("dso.token");
  state.token = null;
  stopLive();
  renderLogin(message);
}

// The identity provider's sign-in: OAuth 2.0 authorization code with PKCE (RFC 7636), as a public client.
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function startOidc(oidc) {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("dso.pkce", JSON.stringify({ verifier, state: nonce }));
  const query = new URLSearchParams({
    response_type: "code", client_id: oidc.client_id, redirect_uri: `${location.origin}/`, scope: oidc.scope,
    code_challenge: challenge, code_challenge_method: "S256", state: nonce,
  });
  location.assign(`${oidc.authorize_url}?${query}`);
}

async function finishOidc(config) {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem("dso.pkce") || "null");
  sessionStorage.removeItem("dso.pkce");
  history.replaceState(null, "", "/");
  if (!pending || params.get("state") !== pending.state || !config.oidc) return "The sign-in could not be verified — try again.";
  let response;
  try {
    response = await fetch(config.oidc.token_url, {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: params.get("code"), redirect_uri: `${location.origin}/`,
        client_id: config.oidc.client_id, code_verifier: pending.verifier }),
    });
  } catch (error) {
    return `The identity provider could not be reached (${error.message}).`;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) return body.error_description || "The identity provider refused the sign-in.";
  sessionStorage.setItem("dso.token", body.access_token);
  state.token = body.access_token;
  return null;
}

async function signInFirst() {
  const config = await (await fetch("/console/config")).json();
  if (new URLSearchParams(location.search).has("code")) {
    const problem = await finishOidc(config);
    if (!problem) { start(); return; }
    renderLogin(problem, config);
    return;
  }
  renderLogin("", config);
}

function renderLogin(message = "", config = state.config) {
  state.config = config;
  if (!config) { signInFirst(); return; }
  document.getElementById("nav").hidden = true;
  document.querySelector(".program-pick").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("user").textContent = "";
  main.innerHTML = `<section class="login panel"><h1>Sign in</h1>
    ${message ? `<p class="error" role="alert">${esc(message)}</p>` : ""}
    ${config.oidc ? `<p><button type="button" id="oidc">Sign in with your organisation</button></p>` : ""}
    ${config.dev_login ? `<p class="muted">Development sign-in (the local signing key):</p>
    <form id="login">
      <label for="f-org">Organisation</label><input id="f-org" name="org" required value="demo-dso" autocomplete="organization">
      <label for="f-role">Role</label><select id="f-role" name="role">${["super_admin", "executive", "regional_admin", "location_admin", "provider", "treatment_coordinator"].map((r) => `<option>${r}</option>`).join("")}</select>
      <label for="f-regions">Regions (comma-separated, regional admins)</label><input id="f-regions" name="regions">
      <label for="f-locations">Locations (comma-separated ids, location roles)</label><input id="f-locations" name="locations">
      <button type="submit">Sign in</button>
    </form>` : ""}${!config.oidc && !config.dev_login ? `<p class="error">No sign-in is configured (GATEWAY_CONSOLE_OIDC_*).</p>` : ""}</section>`;
  document.getElementById("oidc")?.addEventListener("click", () => startOidc(config.oidc));
  document.getElementById("login")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const list = (name) => String(form.get(name) || "").split(",").map((s) => s.trim()).filter(Boolean);
    const response = await fetch("/console/dev-token", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ org: form.get("org"), role: form.get("role"), regions: list("regions"), locations: list("locations") }),
    });
    const body = await response.json();
    if (!response.ok) { renderLogin(body?.error?.message || "Sign-in failed"); return; }
    sessionStorage.setItem("dso.token", body.token);
    state.token = body.token;
    start();
  });
  main.querySelector("input")?.focus();
}

// --- the shell -----------------------------------------------------------------------------------------

async function start() {
  state.who = claims(state.token);
  document.getElementById("user").textContent = state.who ? `${state.who.role} · ${state.who.org}` : "";
  document.getElementById("logout").hidden = false;
  document.getElementById("nav").hidden = false;
  try {
    state.programs = await api("/programs");
  } catch (error) { if (error.status !== 401) main.innerHTML = `<p class="error">${esc(error.message)}</p>`; return; }
  const picker = document.getElementById("program");
  picker.innerHTML = state.programs.map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join("");
  document.querySelector(".program-pick").hidden = state.programs.length === 0;
  state.program = sessionStorage.getItem("dso.program");
  if (!state.programs.some((p) => p.id === state.program)) state.program = state.programs[0]?.id || null;
  picker.value = state.program || "";
  startLive();
  if (!location.hash) location.hash = "#/timeline";
  else route();
}

document.getElementById("program").addEventListener("change", (event) => {
  state.program = event.target.value;
  sessionStorage.setItem("dso.program", state.program);
  route();
});
document.getElementById("logout").addEventListener("click", () => signOut(""));
window.addEventListener("hashchange", () => route());

const PAGES = { timeline, readiness, gates, incidents, training, roi };
let rendering = null;

async function route({ quiet = false } = {}) {
  if (!state.token) return;
  const [, page, id] = location.hash.split("/");
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.dataset.page === page);
    if (link.dataset.page === page) link.setAttribute("aria-current", "page");
  }
  const render = page === "location" ? () => locationPage(decodeURIComponent(id || "")) : PAGES[page];
  if (!render) { location.hash = "#/timeline"; return; }
  if (!state.program && page !== "location") { main.innerHTML = `<h1>No programme yet</h1><p class="muted">Create one over the API (POST /api/v1/programs) or run <code>make demo</code>.</p>`; return; }
  const mine = (rendering = Symbol(page));
  try {
    if (state.program && state.namesOf !== state.program) await matrixRows(); // location names for every page
    const html = await render();
    if (rendering !== mine) return; // a newer navigation won
    main.innerHTML = html;
    main.dataset.page = page;
    bind(page);
    if (!quiet) main.focus();
  } catch (error) {
    if (error.status !== 401) main.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
  }
}

// --- live updates --------------------------------------------------------------------------------------

let live = null;
let refresh = null;

function startLive() {
  stopLive();
  const controller = new AbortController();
  live = controller;
  const badge = document.getElementById("live");
  (async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch("/api/v1/events/stream", { headers: { Authorization: `Bearer ${state.token}` }, signal: controller.signal });
        if (!response.ok) throw new Error(`stream ${response.status}`);
        badge.textContent = "live"; badge.className = "live on";
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (/^data:/m.test(block)) changed();
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      badge.textContent = "reconnecting"; badge.className = "live";
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
}

function stopLive() {
  live?.abort();
  live = null;
  const badge = document.getElementById("live");
  badge.textContent = "offline"; badge.className = "live";
}

function changed() {
  const badge = document.getElementById("live");
  badge.className = "live on flash";
  clearTimeout(refresh);
  refresh = setTimeout(async () => {
    badge.className = "live on";
    if (main.contains(document.activeElement) && document.activeElement.matches("input, select, textarea")) return;
    await route({ quiet: true });
    announce("Updated");
  }, 400);
}

// --- pages ---------------------------------------------------------------------------------------------

const P = () => `/programs/${encodeURIComponent(state.program)}`;
const locLink = (id, name) => `<a href="#/location/${encodeURIComponent(id)}">${esc(name || state.names[id] || id)}</a>`;

async function matrixRows() {
  const rows = [];
  let cursor = null;
  do {
    const page = await api(`/readiness/matrix?program_id=${encodeURIComponent(state.program)}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    rows.push(...page.rows);
    cursor = page.next_cursor;
  } while (cursor);
  for (const row of rows) state.names[row.location_id] = row.name;
  state.namesOf = state.program;
  return rows;
}

async function timeline() {
  const [plan, gateList, pauses] = await Promise.all([api(`${P()}/plan`), api(`${P()}/gates`), api(`${P()}/pauses`)]);
  const start = new Date(plan.start_date);
  const dates = [plan.start_date, ...plan.phases.map((p) => p.end_date), ...gateList.map((g) => g.evaluate_on), new Date().toISOString()];
  const end = new Date(Math.max(...dates.filter(Boolean).map((d) => +new Date(d))));
  const weeks = Math.max(Math.ceil((end - start) / 6048e5) + 1, 4);
  const W = 1100, left = 190, row = 24, x = (d) => left + ((new Date(d) - start) / 6048e5) * ((W - left - 10) / weeks);
  const rows = [];
  plan.phases.forEach((p) => rows.push({ label: p.name, from: p.start_date, to: p.end_date, kind: "phase" }));
  for (const wave of plan.waves) {
    const mine = plan.locations.filter((l) => l.wave === wave.key);
    rows.push({ label: `${wave.label}${wave.paused ? " (paused)" : ""}`, kind: "wave", locations: mine, paused: wave.paused });
  }
  let y = 30;
  const shapes = [];
  for (let w = 0; w <= weeks; w += 1) {
    const gx = left + w * ((W - left - 10) / weeks);
    shapes.push(`<line class="grid" x1="${gx}" x2="${gx}" y1="20" y2="${30 + rows.length * row + 40}"/>`);
    if (w % 2 === 0) shapes.push(`<text x="${gx + 2}" y="14">w${w + 1}</text>`);
  }
  for (const r of rows) {
    shapes.push(`<text x="4" y="${y + 15}">${esc(r.label)}</text>`);
    if (r.kind === "phase") {
      shapes.push(`<rect x="${x(r.from)}" y="${y + 4}" width="${Math.max(x(r.to) - x(r.from), 3)}" height="14" rx="3" fill="#93c5fd"><title>${esc(r.label)}: ${day(r.from)} – ${day(r.to)}</title></rect>`);
    } else {
      for (const l of r.locations) {
        if (l.planned_go_live) shapes.push(`<path d="M${x(l.planned_go_live)} ${y + 5} l6 6 l-6 6 l-6 -6 z" fill="none" stroke="#1d4ed8" stroke-width="1.5"><title>${esc(l.name)} planned ${day(l.planned_go_live)}</title></path>`);
        if (l.went_live_on) shapes.push(`<path d="M${x(l.went_live_on)} ${y + 5} l6 6 l-6 6 l-6 -6 z" fill="#15803d"><title>${esc(l.name)} live ${day(l.went_live_on)}</title></path>`);
      }
    }
    y += row;
  }
  shapes.push(`<text x="4" y="${y + 15}">Gates</text>`);
  for (const g of gateList) {
    const outcome = g.decision?.decision || (g.evaluation ? (g.evaluation.passed ? "pass" : "fail") : "pending");
    const fill = { go: "#15803d", pass: "#15803d", no_go: "#b91c1c", fail: "#b91c1c" }[outcome] || "#94a3b8";
    shapes.push(`<rect x="${x(g.evaluate_on) - 6}" y="${y + 5}" width="12" height="12" transform="rotate(45 ${x(g.evaluate_on)} ${y + 11})" fill="${fill}"><title>${esc(g.label)} (${day(g.evaluate_on)}): ${esc(outcome)}</title></rect>`);
  }
  y += row;
  shapes.push(`<text x="4" y="${y + 15}">Pauses</text>`);
  for (const p of pauses) {
    const to = p.resumed_at || new Date().toISOString();
    shapes.push(`<rect x="${x(p.paused_at)}" y="${y + 5}" width="${Math.max(x(to) - x(p.paused_at), 4)}" height="12" fill="#fca5a5"><title>${esc(p.reason)}: ${day(p.paused_at)} – ${p.resumed_at ? day(p.resumed_at) : "open"}</title></rect>`);
  }
  const today = x(new Date().toISOString());
  shapes.push(`<line class="today" x1="${today}" x2="${today}" y1="20" y2="${y + row}"><title>today</title></line>`);
  const live = plan.locations.filter((l) => l.went_live_on).length;
  return `<h1>Programme timeline</h1>
    <div class="cards">
      <div class="card"><div class="n">${plan.locations.length}</div><div class="l">locations placed in waves</div></div>
      <div class="card"><div class="n">${live}</div><div class="l">live</div></div>
      <div class="card"><div class="n">${plan.unscheduled.length}</div><div class="l">in remediation / unscheduled</div></div>
      <div class="card"><div class="n">${pauses.filter((p) => !p.resumed_at).length}</div><div class="l">open pauses</div></div>
    </div>
    <div class="panel"><svg class="gantt" viewBox="0 0 ${W} ${y + row + 10}" role="img" aria-label="Gantt chart of phases, waves, go-lives, gates and pauses">${shapes.join("")}</svg>
    <p class="muted">◇ planned go-live · ◆ actual go-live · ◆ gate (green go, red no-go) · red bar: pause · red line: today</p></div>
    <h2>Go-lives</h2><div class="panel">${table(["Location", "Region", "Wave", "Planned", "Went live", "Holds"], plan.locations.map((l) =>
      `<tr><td>${locLink(l.location_id, l.name)}</td><td>${esc(l.region)}</td><td>${esc(l.wave)}</td><td>${day(l.planned_go_live)}</td><td>${l.went_live_on ? chip(day(l.went_live_on), "pass") : "–"}</td><td>${esc((l.holds || []).map((h) => h.reason || h).join("; "))}</td></tr>`))}</div>`;
}

const FACTORS = ["it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion"];
let readinessRows = [];
let readinessSort = { key: "composite", dir: -1 };

async function readiness() {
  readinessRows = await matrixRows();
  return `<h1>Readiness matrix</h1>
    <div class="filters"><label>Search <input id="rfilter" type="search" placeholder="name or region"></label>
    <label>Wave <select id="rwave"><option value="">all</option>${[...new Set(readinessRows.map((r) => r.recommended_wave))].map((w) => `<option>${esc(w)}</option>`).join("")}</select></label></div>
    <div class="panel" id="heat">${heat()}</div>
    <p class="muted">Scores 1–5 per factor; hover a cell for how it was derived, open a location for its full scoring.</p>`;
}

function heat() {
  const text = (document.getElementById("rfilter")?.value || "").toLowerCase();
  const wave = document.getElementById("rwave")?.value || "";
  const rows = readinessRows
    .filter((r) => (!text || `${r.name} ${r.region}`.toLowerCase().includes(text)) && (!wave || r.recommended_wave === wave))
    .sort((a, b) => (a[readinessSort.key] > b[readinessSort.key] ? 1 : a[readinessSort.key] < b[readinessSort.key] ? -1 : 0) * readinessSort.dir);
  const head = ["name", "region", ...FACTORS, "composite", "recommended_wave"].map((k) =>
    `<button type="button" data-sort="${k}" aria-label="Sort by ${k.replace(/_/g, " ")}">${k.replace(/_/g, " ")}${readinessSort.key === k ? (readinessSort.dir > 0 ? " ▲" : " ▼") : ""}</button>`);
  return table(head, rows.map((r) => `<tr><td>${locLink(r.location_id, r.name)}</td><td>${esc(r.region)}</td>${FACTORS.map((f) =>
    `<td class="score s${r[f] ?? 0}" title="${esc(f.replace(/_/g, " "))}: ${r[f] ?? "not scored"} (${esc(r.method || "")})">${r[f] ?? "–"}</td>`).join("")}<td class="num"><strong>${r.composite ?? "–"}</strong></td><td>${chip(r.recommended_wave || "–", r.recommended_wave === "remediation" ? "fail" : "info")}</td></tr>`), "heat");
}

async function gates() {
  const list = await api(`${P()}/gates`);
  return `<h1>Gate board</h1>${list.map((g) => {
    const ev = g.evaluation;
    const outcome = g.decision ? chip(g.decision.decision.replace("_", "-"), g.decision.decision) : ev ? chip(ev.passed ? "criteria met" : "criteria not met", ev.passed ? "pass" : "fail") : chip("not evaluated", "info");
    const rows = (ev?.results || []).map((c, i) => `<tr><td>${esc(c.label)}</td><td>${chip(c.status.replace("_", " "), c.status)}</td>
      <td class="num">${num(c.measured)}</td><td>${esc(c.comparator || "")} ${num(c.threshold)} ${esc(c.unit || "")}</td><td class="num">${c.n ?? "–"}</td><td>${esc(c.window || "")}</td>
      <td><details><summary>evidence</summary><p>${esc(c.reason || "")}</p><ul>${(c.source || []).map((s) => `<li><code>${esc(s)}</code></li>`).join("")}</ul>
      ${(ev.locations || []).map((l) => { const r = l.results.find((x) => x.key === c.key); return r ? `<div>${locLink(l.location_id)}: ${chip(r.status.replace("_", " "), r.status)} ${num(r.measured)} (n ${r.n ?? "–"})</div>` : ""; }).join("")}</details></td>
      <td><input type="number" step="any" aria-label="What-if threshold for ${esc(c.label)}" data-whatif="${esc(c.key)}" data-gate="${esc(g.key)}" placeholder="${esc(c.threshold ?? "")}" style="width:6rem"></td></tr>`);
    return `<section class="panel" aria-labelledby="g-${esc(g.key)}"><h2 id="g-${esc(g.key)}">${esc(g.label)} ${outcome}</h2>
      <p class="muted">Evaluate on ${day(g.evaluate_on)}${ev ? ` · evaluated ${day(ev.at)} by ${esc(ev.evaluated_by)}` : ""}${g.blocking?.length ? ` · blocking: ${esc(g.blocking.join("; "))}` : ""}</p>
      ${table(["Criterion", "Status", "Measured", "Threshold", "n", "Window", "Evidence", "What-if"], rows)}
      <p><button type="button" class="secondary" data-simulate="${esc(g.key)}">Simulate thresholds</button> <span data-result="${esc(g.key)}" aria-live="polite"></span></p>
      ${g.decision ? `<h3>Decision</h3><dl class="kv"><dt>decision</dt><dd>${esc(g.decision.decision)}</dd><dt>signed by</dt><dd>${esc(g.decision.decided_by)} (${esc(g.decision.decider_role)})</dd><dt>at</dt><dd>${esc(g.decision.decided_at)}</dd><dt>rationale</dt><dd>${esc(g.decision.rationale)}</dd>${g.decision.override ? `<dt>override</dt><dd>${esc(g.decision.override_reason)}</dd>` : ""}</dl>` : ""}
    </section>`;
  }).join("") || `<p class="muted">This programme has no gates.</p>`}`;
}

async function incidents() {
  const [list, pauses] = await Promise.all([api(`${P()}/incidents`), api(`${P()}/pauses`)]);
  const open = list.filter((i) => !i.resolved_at);
  return `<h1>Incidents and pauses</h1>
    <div class="cards"><div class="card"><div class="n">${open.length}</div><div class="l">open incidents</div></div>
    <div class="card"><div class="n">${open.filter((i) => i.severity <= 2).length}</div><div class="l">open severity 1–2</div></div>
    <div class="card"><div class="n">${list.filter((i) => i.sla_breached).length}</div><div class="l">response SLA breached</div></div>
    <div class="card"><div class="n">${list.filter((i) => i.kind === "systemic").length}</div><div class="l">systemic</div></div></div>
    <h2>Incidents</h2><div class="panel">${table(["Severity", "Kind", "Category", "Location", "Opened", "Response due", "Acknowledged", "Resolved", "SLA"],
      [...list].sort((a, b) => a.severity - b.severity).map((i) => `<tr><td>${chip(`sev ${i.severity}`, `sev${i.severity}`)}</td><td>${esc(i.kind)}</td><td>${esc(i.category)}</td><td>${locLink(i.location_id)}</td><td>${day(i.opened_at)}</td><td>${day(i.response_due_at)}</td><td>${day(i.acknowledged_at)}</td><td>${i.resolved_at ? day(i.resolved_at) : chip("open")}</td><td>${i.sla_breached ? chip("breached", "fail") : chip("ok", "pass")}</td></tr>`))}</div>
    <h2>Pauses</h2><div class="panel">${table(["Scope", "Reason", "Paused", "Review due", "Root cause", "Remediation due", "Missing restart criteria", "Resumed"],
      pauses.map((p) => `<tr><td>${esc(p.scope)} ${esc(p.wave || p.location_id || "")}</td><td>${esc(p.reason)}</td><td>${day(p.paused_at)}</td><td>${p.review_overdue ? chip(day(p.review_due_at), "fail") : day(p.review_due_at)}</td><td>${esc(p.root_cause || "–")}</td><td>${day(p.remediation_due_at)}</td><td>${esc((p.missing_criteria || []).join(", ") || "none")}</td><td>${p.resumed_at ? chip(day(p.resumed_at), "pass") : chip("paused", "fail")}</td></tr>`))}</div>`;
}

const bar = (pct) => `<div class="bar" role="img" aria-label="${num(pct)} %"><span style="width:${Math.min(Math.max(pct || 0, 0), 100)}%"></span></div>`;

async function training() {
  const [done, lineage] = await Promise.all([api(`${P()}/training`), api(`${P()}/training/lineage`)]);
  const tree = (people) => `<ul class="tree">${people.map((p) => `<li>${esc(p.name)} ${p.certified_champion ? chip("certified champion", "pass") : ""} <span class="muted">${esc(p.wave || "")}</span>${p.trained?.length ? tree(p.trained) : ""}</li>`).join("")}</ul>`;
  return `<h1>Training</h1>
    <div class="cards"><div class="card"><div class="n">${num(done.completion_pct)} %</div><div class="l">${done.staff_trained} of ${done.staff_total} staff trained</div></div>
    ${Object.entries(done.by_wave || {}).map(([w, v]) => `<div class="card"><div class="n">${num(v.completion_pct)} %</div><div class="l">${esc(w)}: ${v.staff_trained}/${v.staff_total}</div></div>`).join("")}</div>
    <h2>By role</h2><div class="panel">${table(["Role", "Trained", "Completion"], Object.entries(done.by_role || {}).map(([r, v]) => `<tr><td>${esc(r)}</td><td class="num">${v.trained}/${v.total}</td><td>${bar(v.completion_pct)}</td></tr>`))}</div>
    <h2>By location</h2><div class="panel">${table(["Location", "Wave", "Trained", "Completion", "Missing"], (done.locations || []).map((l) => `<tr><td>${locLink(l.location_id)}</td><td>${esc(l.wave || "–")}</td><td class="num">${l.staff_trained}/${l.staff_total}</td><td>${bar(l.completion_pct)}</td><td>${esc((l.missing || []).map((m) => `${m.name}: ${(m.curricula || []).join(", ")}`).join("; ") || "–")}</td></tr>`))}</div>
    <h2>Train-the-trainer</h2><div class="panel">${lineage.trainers?.length ? tree(lineage.trainers) : `<p class="muted">No sessions recorded yet.</p>`}</div>`;
}

async function roi() {
  const data = await api(`${P()}/roi`);
  const chart = (m) => {
    const top = Math.max(m.baseline || 0, m.current || 0, m.target || 0, 1);
    const b = (v, c, label) => `<rect x="0" y="${label * 14}" width="${((v || 0) / top) * 220}" height="11" fill="${c}"><title>${["baseline", "current", "target"][label]}: ${num(v)}</title></rect>`;
    return `<svg width="230" height="42" role="img" aria-label="baseline ${num(m.baseline)}, current ${num(m.current)}, target ${num(m.target)}">${b(m.baseline, "#94a3b8", 0)}${b(m.current, "#1d4ed8", 1)}${b(m.target, "#15803d", 2)}</svg>`;
  };
  const month = new Date().toISOString().slice(0, 7);
  return `<h1>ROI</h1>
    <div class="cards"><div class="card"><div class="n">${data.live_locations}/${data.locations}</div><div class="l">locations live</div></div>
    <div class="card"><div class="n">${num(data.total_per_month, 0)}</div><div class="l">saved and earned per month</div></div></div>
    <p><button type="button" id="csv" data-month="${month}">Monthly report (CSV, ${month})</button></p>
    <h2>Baseline, current and target</h2><div class="panel">${table(["Metric", "Baseline", "Current", "Target", "Progress", "Chart"], (data.metrics || []).map((m) =>
      `<tr><td>${esc(m.label || m.metric)}</td><td class="num">${num(m.baseline)}</td><td class="num">${num(m.current)}</td><td class="num">${num(m.target)}</td><td>${m.progress_pct === null || m.progress_pct === undefined ? "–" : bar(m.progress_pct)}</td><td>${chart(m)}</td></tr>`))}
      <p class="muted">grey baseline · blue current · green target</p></div>
    <h2>30/60/90-day benchmarks</h2><div class="panel">${table(["Day", "Check", "Location", "Status", "Measured"], (data.benchmarks || []).flatMap((b) =>
      (b.results || [b]).map((r) => `<tr><td>${esc(b.day ?? "")}</td><td>${esc(r.label || r.key || "")}</td><td>${r.location_id ? locLink(r.location_id) : esc(b.location_id || "")}</td><td>${chip(String(r.status || "").replace("_", " "), r.status)}</td><td class="num">${num(r.measured)}</td></tr>`)))}</div>
    <h2>Money per location and month</h2><div class="panel">${table(["Location", "Revenue uplift", "Design-fee savings", "Labour savings", "Total", "Missing assumptions"], (data.money_per_month || []).map((m) =>
      `<tr><td>${locLink(m.location_id)}</td><td class="num">${num(m.revenue_uplift, 0)}</td><td class="num">${num(m.design_fee_savings, 0)}</td><td class="num">${num(m.labour_savings, 0)}</td><td class="num"><strong>${num(m.total, 0)}</strong></td><td>${esc((m.missing || []).join(", "))}</td></tr>`))}
      <p class="muted">Assumptions: ${Object.entries(data.assumptions || {}).map(([k, v]) => `${esc(k.replace(/_/g, " "))} ${v === null ? "not set" : num(v)}`).join(" · ")}</p></div>`;
}

async function locationPage(id) {
  const view = await api(`/locations/${encodeURIComponent(id)}/overview`);
  const [kpis, health] = await Promise.all([
    api(`/locations/${encodeURIComponent(id)}/kpis`).catch(() => null),
    api(`/locations/${encodeURIComponent(id)}/integration-health`).catch(() => null),
  ]);
  const readinessPart = view.parts?.readiness?.data || {};
  const parts = Object.entries(view.parts || {}).map(([name, part]) => `<details class="panel"><summary><strong>${esc(name)}</strong> ${chip(part.status, part.status === "ok" ? "pass" : "warn")}</summary><pre style="white-space:pre-wrap">${esc(JSON.stringify(part.data, null, 1)).slice(0, 4000)}</pre></details>`).join("");
  return `<h1>${esc(readinessPart.name || id)}</h1>
    <p class="muted">${esc(readinessPart.region || "")} · composite ${esc(readinessPart.composite ?? "–")} · ${esc(readinessPart.recommended_wave || "")}</p>
    <h2>KPIs</h2><div class="panel">${kpis ? table(["KPI", "Value", "n", "Window"], Object.entries(kpis.values || {}).map(([k, v]) => `<tr><td>${esc(k.replace(/_/g, " "))}</td><td class="num">${num(v.value)}</td><td class="num">${v.n}</td><td>${esc(v.window)}</td></tr>`)) : `<p class="muted">Not visible to you.</p>`}</div>
    <h2>Integration health</h2><div class="panel">${health ? table(["Check", "Status", "n", "p50 min", "p95 min", "Worst", "Limit"], health.checks.map((c) => `<tr><td>${esc(c.label)}</td><td>${chip(c.status.replace(/_/g, " "), c.status)}</td><td class="num">${c.n}</td><td class="num">${num(c.p50_minutes, 2)}</td><td class="num">${num(c.p95_minutes, 2)}</td><td class="num">${num(c.worst_minutes, 2)}</td><td class="num">${num(c.limit_minutes)}</td></tr>`)) : `<p class="muted">Not visible to you.</p>`}</div>
    <h2>Everything about it</h2>${parts}`;
}

// --- page behaviour -------------------------------------------------------------------------------------

function bind(page) {
  if (page === "readiness") {
    const redraw = () => { document.getElementById("heat").innerHTML = heat(); };
    document.getElementById("rfilter").addEventListener("input", redraw);
    document.getElementById("rwave").addEventListener("change", redraw);
    document.getElementById("heat").addEventListener("click", (event) => {
      const key = event.target.closest("[data-sort]")?.dataset.sort;
      if (!key) return;
      readinessSort = { key, dir: readinessSort.key === key ? -readinessSort.dir : 1 };
      redraw();
      document.querySelector(`[data-sort="${key}"]`)?.focus();
    });
  }
  if (page === "gates") {
    main.querySelectorAll("[data-simulate]").forEach((button) => button.addEventListener("click", async () => {
      const gate = button.dataset.simulate;
      const thresholds = {};
      main.querySelectorAll(`[data-gate="${gate}"]`).forEach((input) => { if (input.value !== "") thresholds[input.dataset.whatif] = Number(input.value); });
      const out = main.querySelector(`[data-result="${gate}"]`);
      try {
        const result = await api(`${P()}/gates/${encodeURIComponent(gate)}/simulate`, { method: "POST", body: JSON.stringify({ thresholds }) });
        out.innerHTML = `What-if: ${result.passed ? chip("would pass", "pass") : chip("would not pass", "fail")}`;
      } catch (error) { out.textContent = error.message; }
    }));
  }
  if (page === "roi") {
    document.getElementById("csv").addEventListener("click", async (event) => {
      const month = event.target.dataset.month;
      const response = await fetch(`/api/v1${P()}/reports/monthly.csv?month=${month}`, { headers: { Authorization: `Bearer ${state.token}` } });
      const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await response.blob()), download: `roi-${month}.csv` });
      link.click();
    });
  }
}

if (state.token) start(); else signInFirst();
