// The idgraph investigator explorer: search an identifier, see its identity card, list
// fraud rings, and explore the graph (expand nodes, shortest paths, time filter, export).
// It only calls the idgraph API of the server that serves it, with the key typed in
// (kept in sessionStorage, sent as X-API-Key).
import cytoscape from "cytoscape";

const KEY_STORE = "idgraph.apiKey";
const $ = (id) => document.getElementById(id);

// Colours by node type (identities by risk: white to red).
const TYPE_COLOURS = {
  email: "#3b82f6",
  phone: "#10b981",
  device: "#f59e0b",
  cookie: "#a3a3a3",
  account: "#8b5cf6",
  card: "#ec4899",
  ip: "#64748b",
};
const EDGE_COLOURS = { LINKED: "#94a3b8", MEMBER: "#1d2330", USED_BY: "#f97316", REFERRED: "#16a34a" };

// --- API -----------------------------------------------------------------------------------

function apiKey() {
  return sessionStorage.getItem(KEY_STORE) || "";
}

class ApiError extends Error {
  constructor(status, body) {
    const detail = body && body.detail ? body.detail : `HTTP ${status}`;
    const where = body && body.location ? ` (${body.location})` : "";
    super(`${status}: ${detail}${where}`);
    this.status = status;
  }
}

async function api(path, { method = "GET", params, body, raw = false } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  const headers = {};
  const key = apiKey();
  if (key) headers["X-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    throw new ApiError(response.status, payload);
  }
  return raw ? response : response.json();
}

function status(message, isError = false) {
  const el = $("status");
  el.textContent = message;
  el.classList.toggle("error", isError);
}

async function guarded(what, work) {
  status(`${what}…`);
  try {
    const message = await work();
    status(message || `${what}: done`);
  } catch (e) {
    status(`${what} failed: ${e.message}`, true);
  }
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  }
  return node;
}

function fmt(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

// --- graph ---------------------------------------------------------------------------------

function riskColour(risk) {
  // White (no risk) to deep red (risk 1).
  const r = Math.max(0, Math.min(1, Number(risk) || 0));
  const g = Math.round(255 - 215 * r);
  return `rgb(${Math.round(255 - 55 * r)},${g},${g})`;
}

const cy = cytoscape({
  container: $("graph"),
  wheelSensitivity: 0.3,
  style: [
    {
      selector: "node",
      style: {
        label: "data(short)",
        "font-size": 9,
        "text-valign": "bottom",
        "text-margin-y": 3,
        width: 22,
        height: 22,
        "background-color": "data(colour)",
        "border-width": "data(borderWidth)",
        "border-color": "data(borderColour)",
      },
    },
    {
      selector: "node[kind = 'identity']",
      style: { shape: "round-rectangle", width: 30, height: 30, "font-weight": "bold" },
    },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "line-color": "data(colour)",
        "target-arrow-color": "data(colour)",
        "curve-style": "bezier",
        "target-arrow-shape": "data(arrow)",
        "arrow-scale": 0.7,
      },
    },
    { selector: "node:selected", style: { "overlay-color": "#2563eb", "overlay-opacity": 0.25 } },
    { selector: ".path", style: { "line-color": "#dc2626", "target-arrow-color": "#dc2626", width: 4 } },
    { selector: "node.path", style: { "border-color": "#dc2626", "border-width": 4 } },
    { selector: ".marked", style: { "border-color": "#2563eb", "border-width": 4 } },
  ],
});

function nodeData(n) {
  const identity = n.kind === "identity";
  const risky = typeof n.risk === "number" && n.risk > 0;
  const label = n.label || n.id;
  return {
    ...n,
    short: label.length > 24 ? `${label.slice(0, 22)}…` : label,
    colour: identity ? riskColour(n.risk) : TYPE_COLOURS[n.type] || "#475569",
    // Identifiers of a risky identity get a red ring as thick as the risk is high.
    borderWidth: identity ? 2 : risky ? 1 + 4 * n.risk : 0,
    borderColour: identity ? "#1d2330" : riskColour(Math.max(n.risk || 0, 0.6)),
  };
}

function edgeData(e) {
  return {
    ...e,
    colour: EDGE_COLOURS[e.kind] || "#94a3b8",
    arrow: e.kind === "LINKED" ? "none" : "triangle",
  };
}

/** Add nodes and edges (already there: updated); lay out the new ones around. */
function addGraph(graph, { focus } = {}) {
  const added = [];
  cy.batch(() => {
    for (const n of graph.nodes) {
      const existing = cy.getElementById(n.id);
      if (existing.nonempty()) existing.data(nodeData(n));
      else added.push(cy.add({ group: "nodes", data: nodeData(n) }));
    }
    for (const e of graph.edges) {
      if (cy.getElementById(e.id).empty()) {
        if (cy.getElementById(e.source).nonempty() && cy.getElementById(e.target).nonempty()) {
          cy.add({ group: "edges", data: edgeData(e) });
        }
      }
    }
  });
  if (added.length) {
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000 }).run();
    cy.fit(undefined, 30);
  } else if (focus) {
    cy.center(cy.getElementById(focus));
  }
  $("node-count").textContent = String(cy.nodes().length);
  return added.length;
}

function timeParams() {
  const since = $("since").value;
  const until = $("until").value;
  return {
    since: since ? `${since}T00:00:00Z` : undefined,
    until: until ? `${until}T00:00:00Z` : undefined,
  };
}

function selectorOf(node) {
  const d = node.data();
  return d.kind === "identity"
    ? { identity_id: d.identity_id }
    : { type: d.type, value: d.value };
}

async function expand(node) {
  await guarded("expanding", async () => {
    const graph = await api("/v1/graph/neighbourhood", {
      params: { ...selectorOf(node), hops: $("hops").value, ...timeParams() },
    });
    const added = addGraph(graph, { focus: node.id() });
    return `expanded: ${added} new nodes${graph.truncated ? " (truncated: bounds reached)" : ""}`;
  });
}

function selected() {
  const nodes = cy.$("node:selected");
  return nodes.length ? nodes[0] : null;
}

function describe(node) {
  const d = node.data();
  const risk = typeof d.risk === "number" ? ` · risk ${d.risk.toFixed(2)}` : "";
  return d.kind === "identity"
    ? `identity ${d.identity_id}${risk}`
    : `${d.type} ${d.value}${d.identity_id ? ` · of ${d.identity_id}` : " · shared"}${risk}`;
}

let markA = null;
let markB = null;

function refreshButtons() {
  const node = selected();
  for (const id of ["expand-button", "mark-a", "mark-b", "export-json", "export-graphml"]) {
    $(id).disabled = !node;
  }
  $("path-button").disabled = !(markA && markB);
  $("selection").textContent = node ? describe(node) : "Double-click a node to expand it.";
}

cy.on("select unselect", "node", refreshButtons);
cy.on("dbltap", "node", (evt) => expand(evt.target));

function mark(which) {
  const node = selected();
  if (!node) return;
  cy.nodes(".marked").forEach((n) => {
    if ((which === "a" && n.id() === markA) || (which === "b" && n.id() === markB)) {
      n.removeClass("marked");
    }
  });
  if (which === "a") markA = node.id();
  else markB = node.id();
  node.addClass("marked");
  refreshButtons();
}

function endParams(prefix, node) {
  const d = node.data();
  return d.kind === "identity"
    ? { [`${prefix}identity`]: d.identity_id }
    : { [`${prefix}type`]: d.type, [`${prefix}value`]: d.value };
}

async function showPath() {
  const a = cy.getElementById(markA);
  const b = cy.getElementById(markB);
  if (a.empty() || b.empty()) return;
  await guarded("finding the path", async () => {
    cy.elements(".path").removeClass("path");
    const path = await api("/v1/graph/path", {
      params: { ...endParams("from_", a), ...endParams("to_", b), max_hops: 10 },
    });
    addGraph(path);
    for (const n of path.nodes) cy.getElementById(n.id).addClass("path");
    for (const e of path.edges) cy.getElementById(e.id).addClass("path");
    return `path of ${path.length} hops`;
  });
}

async function exportSelected(format) {
  const node = selected();
  if (!node) return;
  await guarded(`exporting ${format}`, async () => {
    const response = await api("/v1/graph/export", {
      params: { ...selectorOf(node), hops: $("hops").value, format, ...timeParams() },
      raw: true,
    });
    const blob = await response.blob();
    const link = el("a", {
      href: URL.createObjectURL(blob),
      download: `idgraph-export.${format === "graphml" ? "graphml" : "json"}`,
    });
    document.body.append(link);
    link.click();
    link.remove();
  });
}

function legend() {
  const box = $("legend");
  for (const [type, colour] of Object.entries(TYPE_COLOURS)) {
    box.append(el("span", {}, el("i", { style: `background:${colour}` }), type));
  }
  box.append(el("span", {}, el("i", { style: `background:${riskColour(1)}` }), "identity (red: risk)"));
}

// --- identity card -------------------------------------------------------------------------

async function search(type, value) {
  await guarded("searching", async () => {
    const resolved = await api("/v1/resolve", {
      method: "POST",
      body: { identifiers: [{ type, value }] },
    });
    const card = $("identity-card");
    card.hidden = false;
    card.replaceChildren();
    if (!resolved.identity_id) {
      card.append(
        el("div", { class: "card", "data-testid": "identity-status" }, `status: ${resolved.status}`),
      );
      if (resolved.invalid && resolved.invalid.length) {
        card.append(el("div", {}, `invalid: ${resolved.invalid.map((i) => i.reason).join("; ")}`));
      }
      // A shared identifier still has a neighbourhood worth seeing.
      if (resolved.status === "shared" || resolved.status === "unclustered") {
        const graph = await api("/v1/graph/neighbourhood", { params: { type, value, ...timeParams() } });
        addGraph(graph);
      }
      return;
    }
    const id = resolved.identity_id;
    const [profile, graph] = await Promise.all([
      api(`/v1/identities/${encodeURIComponent(id)}`),
      api("/v1/graph/neighbourhood", { params: { identity_id: id, ...timeParams() } }),
    ]);
    const me = graph.nodes.find((n) => n.kind === "identity" && n.identity_id === id);
    renderCard(card, resolved, profile, me ? me.risk : null);
    addGraph(graph, { focus: `ide:${id}` });
    cy.getElementById(`ide:${id}`).select();
  });
}

function renderCard(card, resolved, profile, risk) {
  const rows = profile.identifiers.map((i) =>
    el("tr", {}, el("td", {}, i.type), el("td", {}, i.value), el("td", {}, fmt(i.confidence))),
  );
  const flags = resolved.flags.map((f) => el("span", { class: "flag", title: f.reason || "" }, f.name));
  card.append(
    el(
      "div",
      { class: "card" },
      el("div", {}, el("b", { "data-testid": "identity-id" }, profile.identity_id)),
      el("div", {}, `status ${resolved.status} · confidence ${fmt(resolved.confidence)} · verification ${resolved.verification}`),
      el(
        "div",
        {},
        "risk ",
        el("span", { class: "risk", "data-testid": "identity-risk" }, fmt(risk)),
        ` · ${profile.size ?? profile.identifiers.length} identifiers · ${profile.event_count} events`,
      ),
      el("div", { "data-testid": "identity-flags" }, ...(flags.length ? flags : ["no flag"])),
      el("table", { "data-testid": "identity-identifiers" }, ...rows),
      profile.shared_identifiers.length
        ? el("div", {}, `shared: ${profile.shared_identifiers.map((s) => `${s.type} (${s.identities} identities)`).join(", ")}`)
        : "",
    ),
  );
}

// --- rings ---------------------------------------------------------------------------------

async function loadRings() {
  await guarded("loading rings", async () => {
    const page = await api("/v1/rings", {
      params: { min_score: $("rings-min").value || 0, limit: 50, ...timeParams() },
    });
    const list = $("ring-list");
    list.replaceChildren(
      ...page.rings.map((r) =>
        el(
          "li",
          { "data-testid": "ring-item", "data-ring-id": r.ring_id, onclick: () => openRing(r.ring_id) },
          `${r.ring_id} · score ${fmt(r.score)} · ${r.size} members`,
        ),
      ),
    );
    if (!page.rings.length) list.append(el("li", {}, "no ring"));
    return `${page.total} rings`;
  });
}

async function openRing(ringId) {
  await guarded("opening the ring", async () => {
    for (const li of $("ring-list").children) li.classList.toggle("active", li.dataset.ringId === ringId);
    const [ring, graph] = await Promise.all([
      api(`/v1/rings/${encodeURIComponent(ringId)}`),
      api("/v1/graph/export", { params: { ring_id: ringId, format: "json", ...timeParams() } }),
    ]);
    const box = $("ring-detail");
    box.hidden = false;
    box.replaceChildren(
      el(
        "div",
        { class: "card" },
        el("b", {}, ring.ring_id),
        el("div", {}, `score ${fmt(ring.score)} · ${ring.size} members · ${fmt(ring.first_seen)} → ${fmt(ring.last_seen)}`),
        el("div", {}, ...ring.reasons.map((r) => el("span", { class: "flag" }, r))),
        el(
          "table",
          { "data-testid": "ring-members" },
          ...ring.members.map((m) =>
            el("tr", {}, el("td", {}, m.identity_id), el("td", {}, `risk ${fmt(m.risk)}`), el("td", {}, `${m.identifiers} ids`)),
          ),
        ),
        ring.shared.length
          ? el("div", {}, `shared: ${ring.shared.map((s) => `${s.type} × ${s.identities}`).join(", ")}`)
          : "",
      ),
    );
    addGraph(graph);
  });
}

// --- wiring --------------------------------------------------------------------------------

$("api-key").value = apiKey();
$("key-form").addEventListener("submit", (evt) => {
  evt.preventDefault();
  sessionStorage.setItem(KEY_STORE, $("api-key").value.trim());
  status("key set for this tab");
});
$("search-form").addEventListener("submit", (evt) => {
  evt.preventDefault();
  search($("search-type").value, $("search-value").value.trim());
});
$("rings-load").addEventListener("click", loadRings);
$("expand-button").addEventListener("click", () => selected() && expand(selected()));
$("mark-a").addEventListener("click", () => mark("a"));
$("mark-b").addEventListener("click", () => mark("b"));
$("path-button").addEventListener("click", showPath);
$("export-json").addEventListener("click", () => exportSelected("json"));
$("export-graphml").addEventListener("click", () => exportSelected("graphml"));
$("clear-button").addEventListener("click", () => {
  cy.elements().remove();
  markA = markB = null;
  $("node-count").textContent = "0";
  refreshButtons();
});
legend();
refreshButtons();
// For tests and the curious: the graph's state, read-only use.
window.idgraphExplorer = { cy };
