// `xs-async start` and `xs-async soak` (bin/xs-async.mjs) in an app made with the starter: they load the app
// (src/app.ts, default export: an AppDefinition) and its simulated board (src/board.ts: the `sim` export)
// from the current directory.
import * as fs from "node:fs";
import * as path from "node:path";
import type { AppDefinition, BoardDescription } from "../firmware/board/index";
import { runAppSoak } from "../scripts/soak/app-soak";
import { startApp } from "./run-app";

function load(): { app: AppDefinition; description: BoardDescription } {
  const dir = process.cwd();
  const appFile = path.join(dir, "src", "app.ts");
  const boardFile = path.join(dir, "src", "board.ts");
  for (const f of [appFile, boardFile]) {
    if (!fs.existsSync(f)) fail(`${path.relative(dir, f)} not found: run this in an app made with \`xs-async new\``);
  }
  const appModule = require(appFile) as { default?: AppDefinition };
  const boardModule = require(boardFile) as { sim?: BoardDescription; default?: BoardDescription };
  const app = appModule.default;
  if (app === undefined || typeof app.main !== "function") fail("src/app.ts has no default export made with defineApp({ name, main })");
  const description = boardModule.sim ?? boardModule.default;
  if (description === undefined) fail("src/board.ts exports no `sim` board description");
  return { app, description };
}

function fail(msg: string): never {
  process.stderr.write(`xs-async: ${msg}\n`);
  process.exit(2);
}

const [command, ...argv] = process.argv.slice(2);
if (command === "start") {
  const { app, description } = load();
  startApp({ app, description, argv, prefsFile: path.resolve("build", "prefs.json"), command: "npm start" });
} else if (command === "soak") {
  const { app, description } = load();
  let hours = 24;
  let seed = 1;
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (argv[i] === "--hours" && v > 0) hours = v;
    else if (argv[i] === "--seed" && Number.isInteger(v)) seed = v;
    else fail(`soak: unknown or bad argument ${JSON.stringify(argv[i])} (usage: --hours H --seed S)`);
  }
  runAppSoak({ app, description, hours, seed, onHour: (line) => process.stdout.write(line + "\n") }).then((r) => {
    process.stdout.write(`${r.violations.length === 0 ? "PASS" : "FAIL"}: ${app.name}, ${hours} simulated hours, seed ${seed}: ${r.events} stimuli and faults on ${r.parts.join(", ")}; ${r.wallMs} ms\n`);
    for (const v of r.violations) process.stdout.write(`  ${v}\n`);
    process.exit(r.violations.length === 0 ? 0 : 1);
  }, (e: unknown) => fail(`soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
} else fail(`unknown command ${JSON.stringify(command)}`);
