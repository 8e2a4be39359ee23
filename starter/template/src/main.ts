// __NAME__'s entry module on the chip (manifest "main"): the scheduler on Moddable's host, the app on the
// board described in src/board.ts.
import { run } from "xs-async";
import { ModdablePrefs } from "xs-async/control/prefs-moddable";
import { board } from "xs-async/io";
import { useModdable } from "xs-async/platform/moddable";
import app from "./app";
import { device } from "./board";

export default function (): void {
  useModdable();
  run(app.main, {
    description: device,
    board: board(),
    print: (line: string) => trace(line + "\n"),
    prefs: new ModdablePrefs(),
    console: null,
    nowUs: undefined,
    ready: () => undefined,
  }).catch((e: unknown) => trace(`main failed: ${String(e)}\n`));
}
