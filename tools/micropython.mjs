// Run a Python script under MicroPython (WebAssembly build, from npm) with
// the neuron package on its path.
//
//   node tools/micropython.mjs SCRIPT.py [ARG ...]
//
// MicroPython's WebAssembly port has no host file system: the package's
// files (neuron/**/*.py and neuron/data/*) are written into its in-memory
// file system under /lib, which is on sys.path.  The script's arguments are
// in the global ARGV (MicroPython's sys.argv cannot be replaced).  Output goes to stdout; an uncaught Python exception exits 1.
//
// The npm package is looked up in tools/.cache/node_modules (where .ci/run
// installs it) and then through Node's usual resolution.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

async function loadModule() {
  const cached = join(here, ".cache", "node_modules", "@micropython",
    "micropython-webassembly-pyscript", "micropython.mjs");
  try {
    statSync(cached);
    return await import(pathToFileURL(cached).href);
  } catch (e) {
    return await import("@micropython/micropython-webassembly-pyscript");
  }
}

function packageFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "__pycache__") out.push(...packageFiles(path));
    } else if (name.endsWith(".py") || dir.endsWith("data")) {
      out.push(path);
    }
  }
  return out;
}

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node tools/micropython.mjs SCRIPT.py [ARG ...]");
  process.exit(2);
}
const { loadMicroPython } = await loadModule();
let text = "";
const mp = await loadMicroPython({
  heapsize: 256 * 1024 * 1024,
  stdout: (line) => { text += line + "\n"; },
  stderr: (line) => { process.stderr.write(line + "\n"); },
});
for (const file of packageFiles(join(root, "neuron"))) {
  const target = "/lib/" + relative(root, file).split("\\").join("/");
  mp.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
  mp.FS.writeFile(target, readFileSync(file));
}
const argv = JSON.stringify([script, ...args]);
let code = 0;
try {
  mp.runPython("ARGV = " + argv + "\n" + readFileSync(script, "utf8"));
} catch (error) {
  process.stderr.write(String(error.message || error) + "\n");
  code = 1;
}
process.stdout.write(text);
process.exit(code);
