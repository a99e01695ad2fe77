// Check docs/embedding.md's web-page example in Pyodide, from Node.js:
// unpack a zip of neuron/ with pyodide.unpackArchive, as the page does, and
// run the page's Python code, taken from the document itself, so the
// example cannot drift from what is tested.
//
//   node tools/pyodide_page.mjs NEURON.zip     (tools/ci_pyodide.sh makes the zip)
//
// Prints the probability and exits 1 unless it is the course's 0.96251.

import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const doc = readFileSync(join(here, "..", "docs", "embedding.md"), "utf8");
const match = doc.match(/```html[\s\S]*?runPython\(`([\s\S]*?)`\)[\s\S]*?```/);
if (!match) {
  console.error("docs/embedding.md: no ```html block with pyodide.runPython(`...`) found");
  process.exit(1);
}
const cached = join(here, ".cache", "node_modules", "pyodide");
statSync(join(cached, "pyodide.mjs"));
const { loadPyodide } = await import(pathToFileURL(join(cached, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: cached + "/" });
let p;
try {
  pyodide.runPython("import os; os.makedirs('/page', exist_ok=True); os.chdir('/page')");
  pyodide.unpackArchive(new Uint8Array(readFileSync(process.argv[2])), "zip");
  p = pyodide.runPython(match[1]);
} catch (error) {
  console.error("web page example failed: " + String(error.message || error).slice(0, 2000));
  process.exit(1);
}
console.log("web page example: p(good roast) = " + p);
process.exit(Math.abs(p - 0.96251) < 5e-6 ? 0 : 1);
