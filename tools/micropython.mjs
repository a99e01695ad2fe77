// Run a Python script under MicroPython (WebAssembly build, from npm) with
// the neuron package on its path.
//
//   node tools/micropython.mjs [--put HOST_FILE:GUEST_PATH ...] SCRIPT.py [ARG ...]
//
// MicroPython's WebAssembly port has no host file system: the package's
// files (neuron/**/*.py and neuron/data/*) are written into its in-memory
// file system under /lib, which is on sys.path.  The script's arguments are
// in the global ARGV (MicroPython's sys.argv cannot be replaced).  Output goes to stdout; an uncaught Python exception exits 1.
// --put copies a host file into the in-memory file system first.
//
// MicroPython frees garbage only when control returns to JavaScript, so a
// script is run in pieces: it is cut at lines starting with "# ---8<---" and
// each piece goes to its own runPython call (all share one namespace).
//
// The npm package is looked up in tools/.cache/node_modules (where .ci/run
// installs it) and then through Node's usual resolution.

import { readFileSync, readdirSync, statSync, writeSync } from "node:fs";
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

const argvIn = process.argv.slice(2);
const puts = [];
while (argvIn[0] === "--put") {
  const spec = argvIn[1] || "";
  const cut = spec.lastIndexOf(":");
  if (cut <= 0) {
    console.error("--put needs HOST_FILE:GUEST_PATH, got " + JSON.stringify(spec));
    process.exit(2);
  }
  puts.push([spec.slice(0, cut), spec.slice(cut + 1)]);
  argvIn.splice(0, 2);
}
const [script, ...args] = argvIn;
if (!script) {
  console.error("usage: node tools/micropython.mjs [--put HOST:GUEST ...] SCRIPT.py [ARG ...]");
  process.exit(2);
}
const { loadMicroPython } = await loadModule();
let text = "";
const mp = await loadMicroPython({
  heapsize: 256 * 1024 * 1024,
  stdout: (line) => { text += line + "\n"; },
  stderr: (line) => { process.stderr.write(line + "\n"); },
});
function put(host, guest) {
  const dir = guest.slice(0, guest.lastIndexOf("/"));
  if (dir) mp.FS.mkdirTree(dir);
  mp.FS.writeFile(guest, readFileSync(host));
}
for (const file of packageFiles(join(root, "neuron"))) {
  put(file, "/lib/" + relative(root, file).split("\\").join("/"));
}
mp.FS.mkdirTree("/tmp");
for (const [host, guest] of puts) put(host, guest);
// Each piece keeps its line numbers: it is padded with the newlines of the
// pieces before it, so a traceback points at the script's own line.
const pieces = [];
let before = 0;
let current = [];
const lines = readFileSync(script, "utf8").split("\n");
for (const line of lines) {
  if (line.startsWith("# ---8<---") && current.length) {
    pieces.push("\n".repeat(before) + current.join("\n"));
    before += current.length;
    current = [];
  }
  current.push(line);
}
pieces.push("\n".repeat(before) + current.join("\n"));
// Written synchronously: process.exit() drops what an asynchronous write to
// a pipe still holds, which cut long outputs short.
function out(chunk) {
  const data = Buffer.from(chunk, "utf8");
  for (let done = 0; done < data.length;) done += writeSync(1, data, done);
}
let code = 0;
try {
  mp.runPython("ARGV = " + JSON.stringify([script, ...args]));
  for (const piece of pieces) {
    mp.runPython(piece);
    out(text);
    text = "";
  }
} catch (error) {
  out(text);
  process.stderr.write(String(error.message || error) + "\n");
  code = 1;
}
process.exit(code);
