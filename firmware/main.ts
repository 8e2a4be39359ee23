// The firmware's entry module (manifest "main"): start the scheduler on the Moddable host and run the app.
// Moddable names this module "main" (the root) and every other one by its path ("firmware/app"), so this
// is the one file that imports by module name; tsconfig.json maps "firmware/*" for the host toolchain.
import { app } from "firmware/app";
import { useModdable } from "firmware/platform/moddable";
import { run } from "firmware/sched/index";

export default function (): void {
  useModdable();
  run(app).catch((e: unknown) => trace(`main failed: ${String(e)}\n`));
}
