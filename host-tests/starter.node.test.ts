// The package boundary, as a new user meets it: `npm pack` this repository, make an app with the starter in a
// temporary directory outside the repository, install it offline from the tarball (npm's cache has every
// dependency), run its `npm test` and `npm start -- --for 3`, and type-check its Moddable build's module list
// the way mcconfig does (tsc with a `paths` entry per module name of the manifests), so the module names
// the app imports on the chip are the ones the package's manifest maps.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assert } from "./lib/assert";

const ROOT = path.resolve(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 120000): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} in ${cwd} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Every module name a manifest maps, with its source file (wildcards expanded as mcconfig does: *.ts / *.js). */
function manifestModules(file: string, platform: string): Map<string, string> {
  const out = new Map<string, string>();
  const m = JSON.parse(fs.readFileSync(file, "utf8")) as { modules?: Record<string, string>; platforms?: Record<string, { modules?: Record<string, string> }> };
  const dir = path.dirname(file);
  for (const [name, target] of Object.entries({ ...m.modules, ...m.platforms?.[platform]?.modules })) {
    const t = path.resolve(dir, target);
    if (name.endsWith("*")) {
      const base = path.dirname(t);
      for (const f of fs.readdirSync(base)) {
        const ext = /\.d\.ts$/.test(f) ? null : /\.(ts|js)$/.exec(f);
        if (ext !== null && ext !== undefined) out.set(name.slice(0, -1) + f.slice(0, -ext[0].length), path.join(base, f.slice(0, -ext[0].length)));
      }
    } else out.set(name, t);
  }
  return out;
}

describe("the package boundary: npm pack, the starter, an offline install, its tests and start", function () {
  this.timeout(240000);
  let work = "";
  let app = "";
  let pkgDir = "";

  before(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "xs-async-starter-"));
    const tarball = path.join(work, sh(NPM, ["pack", "--silent", "--pack-destination", work], ROOT).trim().split("\n").pop()!);
    execFileSync("tar", ["xzf", tarball], { cwd: work });
    pkgDir = path.join(work, "package");
    // what `npx <tarball> new my-app --board pico` runs (npx itself would ask the registry for metadata offline)
    sh(process.execPath, [path.join(pkgDir, "bin", "xs-async.mjs"), "new", "my-app", "--board", "pico", "--from", tarball], work);
    app = path.join(work, "my-app");
    sh(NPM, ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], app);
  });

  after(() => {
    if (work !== "") fs.rmSync(work, { recursive: true, force: true });
  });

  it("the starter writes the app: package.json scripts delegate to xs-async, which comes from the tarball", () => {
    for (const f of ["package.json", "package-lock.json", "tsconfig.json", "manifest.json", "README.md", "src/app.ts", "src/board.ts", "src/main.ts", "test/app.test.ts"]) {
      assert.ok(fs.existsSync(path.join(app, f)), `${f} is missing`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    assert.deepEqual(Object.keys(pkg.scripts).sort(), ["build:esp32", "build:pico", "console", "flash", "soak", "start", "test"]);
    for (const s of Object.values(pkg.scripts)) assert.match(s, /xs-async /);
    assert.match(pkg.dependencies["xs-async"]!, /^file:.*\.tgz$/);
    const readme = fs.readFileSync(path.join(app, "README.md"), "utf8");
    assert.ok(readme.includes("npm install\nnpm start\n"), "the README's first commands are ours");
  });

  it("its npm test type-checks and passes its test on the virtual clock", () => {
    const out = sh(NPM, ["test"], app);
    assert.match(out, /# pass 1\n# fail 0/);
  });

  it("npm start -- --for 3 runs it on the simulated board and stops by itself", () => {
    const out = sh(NPM, ["start", "--", "--for", "3"], app, 60000);
    assert.match(out, /\[services\] blink started/);
    assert.match(out, /my-app: 3 s are up \(--for\), bye/);
  });

  it("the Moddable module list type-checks: every name the app and the package import is in the manifests, as mcconfig's tsc sees them", () => {
    const lib = manifestModules(path.join(app, "node_modules", "xs-async", "manifest_include.json"), "pico");
    const own = manifestModules(path.join(app, "manifest.json"), "pico");
    // every public entry point of the package that runs on a chip has a module name
    const exportsMap = (JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { exports: Record<string, string> }).exports;
    const deviceEntries = Object.keys(exportsMap).filter((k) => !/^\.\/(sim|host|package\.json|manifest_include\.json)$/.test(k)).map((k) => (k === "." ? "xs-async" : `xs-async/${k.slice(2)}`));
    for (const e of deviceEntries) assert.ok(lib.has(e), `manifest_include.json does not map ${e}`);
    for (const [name, file] of lib) assert.ok(fs.existsSync(file + ".ts") || fs.existsSync(file + ".js"), `${name}: ${file} does not exist`);
    // mcconfig's tsc step: `paths` from module name to source, module preserve, every module compiled
    const paths: Record<string, string[]> = {};
    for (const [name, file] of [...lib, ...own]) paths[name] = [file];
    const files = [...lib.values(), ...own.values()].filter((f) => fs.existsSync(f + ".ts")).map((f) => f + ".ts");
    fs.writeFileSync(path.join(app, "tsconfig.moddable.json"), JSON.stringify({
      compilerOptions: { module: "preserve", moduleResolution: "bundler", target: "es2024", lib: ["es2024"], strict: true, noEmit: true, skipLibCheck: true, types: [], paths },
      files: [...files, path.join(app, "node_modules", "xs-async", "types", "moddable.d.ts"), path.join(app, "node_modules", "xs-async", "types", "preference.d.ts"), path.join(app, "node_modules", "xs-async", "firmware", "platform", "pico", "micros.d.ts")],
    }));
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.moddable.json"], { cwd: app, encoding: "utf8" });
    assert.equal(r.status, 0, `tsc over the manifests' modules:\n${r.stdout}${r.stderr}`);
  });
});
