// Run a Python script under Pyodide (CPython compiled to WebAssembly, from
// npm) with this repository on its path, offline.
//
//   node tools/pyodide.mjs SCRIPT.py [ARG ...]
//
// The repository is mounted read-only in spirit at /repo (Node's file
// system, NODEFS), which is the working directory and the first entry of
// sys.path, so `import neuron` finds this tree and relative paths work as
// they do on CPython.  Bytecode writing is turned off so nothing lands in the
// tree.  sys.argv is [SCRIPT, ARG ...].  Output goes to stdout; an uncaught
// Python exception exits 1.
//
// Pyodide is loaded from the installed npm package (indexURL points at it),
// so nothing is fetched: tools/ci_pyodide.sh installs the pinned version into
// tools/.cache/node_modules.  Only the standard library is used; loadPackage()
// of extra wheels would need the network and is never called.

import { readFileSync, statSync, writeSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

async function loadModule() {
  const cached = join(here, ".cache", "node_modules", "pyodide");
  try {
    statSync(join(cached, "pyodide.mjs"));
    return { module: await import(pathToFileURL(join(cached, "pyodide.mjs")).href), dir: cached };
  } catch (e) {
    const module = await import("pyodide");
    return { module, dir: undefined };
  }
}

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("usage: node tools/pyodide.mjs SCRIPT.py [ARG ...]");
  process.exit(2);
}
const { module, dir } = await loadModule();
// Written synchronously: process.exit() drops what an asynchronous write to
// a pipe still holds.
function write(fd, text) {
  const data = Buffer.from(text, "utf8");
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
}
const options = {
  stdout: (line) => write(1, line + "\n"),
  stderr: (line) => write(2, line + "\n"),
};
if (dir) options.indexURL = dir + "/";
const pyodide = await module.loadPyodide(options);
pyodide.FS.mkdirTree("/repo");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/repo");
const inside = relative(root, resolve(script)).split("\\").join("/");
// A script outside the repository keeps only its name (it is read by Node).
const guestScript = inside.startsWith("..") ? "/" + inside.split("/").pop() : "/repo/" + inside;
pyodide.globals.set("_driver_argv", pyodide.toPy([guestScript, ...args]));
let code = 0;
try {
  pyodide.runPython(`
import os, sys
sys.dont_write_bytecode = True
sys.argv = list(_driver_argv)
del _driver_argv
sys.path.insert(0, "/repo")
os.chdir("/repo")
`);
  const source = readFileSync(script, "utf8");
  pyodide.runPython(source, { filename: guestScript, globals: pyodide.toPy({ __name__: "__main__", __file__: guestScript }) });
} catch (error) {
  process.stderr.write(String(error.message || error) + "\n");
  code = 1;
}
process.exit(code);
