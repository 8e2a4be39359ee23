// The firmware's entry module (manifest "main"): start the scheduler on the Moddable host and run the app.
import { app } from "./app";
import { useModdable } from "./platform/moddable";
import { run } from "./sched/index";

export default function (): void {
  useModdable();
  run(app).catch((e: unknown) => trace(`main failed: ${String(e)}\n`));
}
