// The golden Deploy dump: upstream's Deploy engine (_deployment.jsx) run under node for every
// selection, so tests can check `dsv4 print` and the Deploy pane against what the page shows.
//
//   node tools/upstream/golden_deploy.mjs ENGINE.jsx CONFIG.jsx [BENCHMARKS.jsx] > dump.json
//
// The engine's code runs unchanged: esbuild (from the npm registry, installed on first use into
// tools/upstream/.esbuild/, which git ignores; `make test` never needs it) turns its JSX into
// calls of a tiny element builder, and useState / useEffect / window / document are small
// stand-ins (a hook list re-rendered until no effect changes state, as React would settle).
// Each selection is reached as a link reaches the page: window.location.hash = "#hw=…&…".
// What the page then shows is read off the rendered tree: the selection it lands on (the hash
// it writes back), the badge, the command in the Python and the Docker tab, the cURL modal and
// its model name, the banners under the command, and the greyed chips.
//
// The dump: {"requests": {"hw/variant/quant/strategy/nodes": "<landed key>"},
//            "views": {"<landed key>": {badge, model_name, python, docker, curl, warn, notes,
//                                       disabled}}}
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ESBUILD_DIR = join(HERE, ".esbuild");
const ESBUILD_VERSION = "0.24.2";

function esbuild() {
  const pkg = join(ESBUILD_DIR, "node_modules", "esbuild");
  if (!existsSync(pkg)) {
    mkdirSync(ESBUILD_DIR, { recursive: true });
    const r = spawnSync("npm", ["install", "--no-save", "--prefix", ESBUILD_DIR, `esbuild@${ESBUILD_VERSION}`], {
      stdio: ["ignore", 2, 2],
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error("golden_deploy: npm could not install esbuild");
  }
  return createRequire(join(ESBUILD_DIR, "package.json"))("esbuild");
}

const [enginePath, configPath, benchPath] = process.argv.slice(2);
if (!enginePath || !configPath) {
  console.error("usage: node golden_deploy.mjs ENGINE.jsx CONFIG.jsx [BENCHMARKS.jsx]");
  process.exit(2);
}
const load = (path) => import("data:text/javascript," + encodeURIComponent(readFileSync(path, "utf8")));

// ---- element builder (the JSX transform's target) -------------------------------------------
const FRAGMENT = "#fragment";
globalThis.__h = (type, props, ...children) => ({ type, props: props || {}, children: children.flat(Infinity) });
globalThis.__Fragment = FRAGMENT;

// ---- hooks: one component instance at a time -------------------------------------------------
let slots = [];
let cursor = 0;
let pending = [];
let dirty = false;
globalThis.useState = (init) => {
  const i = cursor++;
  if (!(i in slots)) slots[i] = typeof init === "function" ? init() : init;
  const set = (v) => {
    const next = typeof v === "function" ? v(slots[i]) : v;
    if (!Object.is(next, slots[i])) {
      slots[i] = next;
      dirty = true;
    }
  };
  return [slots[i], set];
};
globalThis.useEffect = (fn, deps) => {
  const i = cursor++;
  const prev = slots[i];
  const changed = !prev || !deps || deps.length !== prev.length || deps.some((d, k) => !Object.is(d, prev[k]));
  if (changed) {
    slots[i] = deps || [];
    pending.push(fn);
  }
};

// ---- window / document stand-ins -------------------------------------------------------------
const location = { hash: "" };
globalThis.window = {
  location,
  history: {
    state: null,
    replaceState(state, _title, url) {
      this.state = state;
      location.hash = url;
    },
  },
  addEventListener() {},
  removeEventListener() {},
  dispatchEvent() {},
  localStorage: { getItem: () => null, setItem() {} },
};
globalThis.document = {
  documentElement: { classList: { contains: () => false }, getAttribute: () => null, style: {} },
  body: { style: {} },
  getElementById: () => null,
};
globalThis.MutationObserver = class {
  observe() {}
  disconnect() {}
};

// ---- the engine ------------------------------------------------------------------------------
const src = readFileSync(enginePath, "utf8");
const { code } = esbuild().transformSync(src, {
  loader: "jsx",
  jsxFactory: "__h",
  jsxFragment: "__Fragment",
  format: "esm",
});
const { Deployment } = await import("data:text/javascript," + encodeURIComponent(code));
const { config } = await load(configPath);
const benchmarks = benchPath ? (await load(benchPath)).benchmarks : undefined;

function settle(props) {
  for (let round = 0; round < 100; round++) {
    cursor = 0;
    pending = [];
    dirty = false;
    const tree = Deployment(props);
    for (const fn of pending) fn();
    if (!dirty) return tree;
  }
  throw new Error("golden_deploy: the engine did not settle");
}

// ---- reading the tree ------------------------------------------------------------------------
const isNode = (n) => n && typeof n === "object" && "type" in n;
const text = (n) => {
  if (n === null || n === undefined || n === false || n === true) return "";
  if (typeof n === "string" || typeof n === "number") return String(n);
  if (Array.isArray(n)) return n.map(text).join("");
  return n.children.map(text).join("");
};
function* walk(n) {
  if (!isNode(n)) return;
  yield n;
  for (const c of n.children) yield* walk(c);
}
const find = (tree, pred) => {
  for (const n of walk(tree)) if (pred(n)) return n;
  return null;
};
const findAll = (tree, pred) => [...walk(tree)].filter(pred);

const DIMS = ["hw", "variant", "quant", "strategy", "nodes"];
const BADGES = { Verified: "verified", "Final Verification In Progress": "in-progress", "Not Verified": "unverified" };

function view(hash) {
  slots = [];
  window.history.state = null;
  location.hash = hash;
  const props = { config, benchmarks };
  let tree = settle(props);
  const landed = Object.fromEntries(new URLSearchParams(location.hash.replace(/^#/, "")));
  const key = DIMS.map((d) => landed[d]).join("/");
  const pre = () => find(tree, (n) => n.type === "pre");
  const badgeNode = find(tree, (n) => n.type === "div" && text(n) in BADGES && n.children.some((c) => isNode(c) && c.type === "span"));
  const banners = findAll(tree, (n) => n.type === "div" && /^(⚠️|ℹ️) /.test(text(n))).map(text);
  const cell = config.cells.find((c) => DIMS.every((d) => c.match[d] === landed[d]));
  const warn = cell && cell.warn ? banners.find((b) => b.startsWith("⚠️ ") && b.slice(3) === warnText(cell.warn)) : null;
  const disabled = findAll(tree, (n) => n.type === "label" && n.props.role === "radio" && n.props["aria-disabled"]).map(
    (n) => n.props.key,
  );
  const out = {
    badge: badgeNode ? BADGES[text(badgeNode)] : null,
    python: pre() ? text(pre()) : null,
    warn: warn ? warn.slice(3) : null,
    notes: banners.filter((b) => b !== warn),
    disabled,
  };
  // The Docker tab.
  const tab = find(tree, (n) => n.props.role === "tab" && text(n) === "Docker");
  if (tab) {
    tab.props.onClick();
    tree = settle(props);
    out.docker = text(pre());
  }
  // The cURL modal.
  const curlButton = find(tree, (n) => n.type === "button" && text(n) === "$ cURL");
  if (curlButton) {
    curlButton.props.onClick();
    tree = settle(props);
    const pres = findAll(tree, (n) => n.type === "pre");
    out.curl = text(pres[pres.length - 1]);
    const model = find(tree, (n) => n.type === "div" && n.children[0] === "Model: ");
    out.model_name = model ? text(model.children[1]) : null;
  }
  return { key, out };
}

// The page renders [label](#anchor) links as buttons: their text is the label.
const warnText = (w) => w.replace(/\[([^\]]+)\]\(#([^)]+)\)/g, "$1");

const opts = (key) => (key === "hw" ? config.supportedHardware : config[{ variant: "variants", quant: "quantizations", strategy: "strategies", nodes: "nodesOptions" }[key]].map((o) => o.id));
const requests = {};
const views = {};
for (const hw of opts("hw"))
  for (const variant of opts("variant"))
    for (const quant of opts("quant"))
      for (const strategy of opts("strategy"))
        for (const nodes of opts("nodes")) {
          const sel = { hw, variant, quant, strategy, nodes };
          const { key, out } = view("#" + new URLSearchParams(sel).toString());
          requests[DIMS.map((d) => sel[d]).join("/")] = key;
          if (!(key in views)) views[key] = out;
        }
process.stdout.write(JSON.stringify({ engine: enginePath.split("/").pop(), requests, views }, null, 1) + "\n");
