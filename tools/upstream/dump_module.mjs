// Load an upstream cookbook module (.jsx holding `export const NAME = {...}` literals) exactly as
// upstream's own checker loads a config: import("data:text/javascript," + encodeURIComponent(src)).
// Prints every export as JSON. A function (showWhen, flags, ...) becomes {"$fn": "<its source>"},
// so the sync tool can turn it into a data constraint; nothing here evaluates it.
//
//   node tools/upstream/dump_module.mjs PATH.jsx > dump.json
import { readFileSync } from "node:fs";

const path = process.argv[2];
if (!path) {
  console.error("usage: node dump_module.mjs PATH.jsx");
  process.exit(2);
}
const src = readFileSync(path, "utf8");
const mod = await import("data:text/javascript," + encodeURIComponent(src));
const replacer = (_key, value) => (typeof value === "function" ? { $fn: value.toString() } : value);
const out = {};
for (const name of Object.keys(mod).sort()) out[name] = mod[name];
process.stdout.write(JSON.stringify(out, replacer, 1) + "\n");
