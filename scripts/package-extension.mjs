#!/usr/bin/env node
// Builds fieldnotes-<version>.vsix: bundles the extension, language server and CLI with esbuild
// (scripts/build-extension.mjs --strict), then runs @vscode/vsce with --no-dependencies (no
// node_modules in the package: .vscodeignore keeps only extension/dist, templates, grammar, schemas,
// the icon, README, CHANGELOG and LICENSE). Prints "VSIX: <path> (<size>)".
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
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

const require = createRequire(import.meta.url);
const vsceMain = join(dirname(require.resolve("@vscode/vsce/package.json")), "vsce");
execFileSync(process.execPath, [vsceMain, "package", "--no-dependencies", "--out", out], {
  cwd: root,
  stdio: ["ignore", 2, 2],
  env: { ...process.env, VSCE_TELEMETRY_DISABLED: "1" },
});
const size = statSync(out).size;
console.log(`VSIX: ${out} (${(size / 1024).toFixed(0)} KiB)`);
if (size > 2 * 1024 * 1024) console.error(`warning: the .vsix is over 2 MB (${size} bytes)`);
