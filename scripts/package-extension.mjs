#!/usr/bin/env node
// Builds fieldnotes-<version>.vsix: bundles the extension, language server and CLI with esbuild
// (scripts/build-extension.mjs --strict), then runs @vscode/vsce with --no-dependencies (no
// node_modules in the package: .vscodeignore keeps only extension/dist, templates, grammar, schemas,
// the icon, README, CHANGELOG and LICENSE). Prints "VSIX: <path> (<size>)".
//
// vsce runs in a staging folder holding just those files and a copy of package.json without its
// npm-only fields (scripts, dependencies, devDependencies, bin): the bundles need no dependencies, and
// vsce would otherwise refuse @types/vscode 1.100 (the repository's dev types) against
// engines.vscode ^1.90.0 (what the extension really needs: vscode-languageclient 9 wants ^1.82).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const out = join(root, `${pkg.name}-${pkg.version}.vsix`);

execFileSync(process.execPath, [join(root, "scripts", "build-extension.mjs"), "--strict"], { cwd: root, stdio: ["ignore", 2, 2] });
if (!existsSync(join(root, "extension", "icon.png"))) {
  execFileSync(process.execPath, [join(root, "scripts", "make-icon.mjs")], { cwd: root, stdio: ["ignore", 2, 2] });
}

const stage = mkdtempSync(join(tmpdir(), "fieldnotes-vsix-"));
try {
  const copy = (rel) => existsSync(join(root, rel)) && cpSync(join(root, rel), join(stage, rel), { recursive: true });
  for (const rel of ["extension/dist", "extension/icon.png", "extension/media", "extension/walkthrough", "extension/README.md", "templates", "grammar", "schemas",
    "README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore"]) copy(rel);
  rmSync(join(stage, "extension", "dist"), { recursive: true, force: true });
  for (const f of ["extension.js", "server.js", "cli.js", "worker.js", "package.json"]) copy(`extension/dist/${f}`);
  const manifest = { ...pkg };
  for (const k of ["scripts", "dependencies", "devDependencies", "bin", "optionalDependencies", "peerDependencies"]) delete manifest[k];
  writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

  const require = createRequire(import.meta.url);
  const vsceMain = join(dirname(require.resolve("@vscode/vsce/package.json")), "vsce");
  execFileSync(process.execPath, [vsceMain, "package", "--no-dependencies", "--out", out], {
    cwd: stage,
    stdio: ["ignore", 2, 2],
    env: { ...process.env, VSCE_TELEMETRY_DISABLED: "1" },
  });
  if (process.argv.includes("--list")) {
    execFileSync(process.execPath, [vsceMain, "ls", "--no-dependencies"], { cwd: stage, stdio: ["ignore", 2, 2] });
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
const size = statSync(out).size;
console.log(`VSIX: ${out} (${(size / 1024).toFixed(0)} KiB)`);
if (size > 2 * 1024 * 1024) console.error(`warning: the .vsix is over 2 MB (${size} bytes)`);
