// `npm start`: run the same application on Node, in real time, on a simulated board.
import { app } from "../firmware/app";
import { run } from "../firmware/sched/index";
import { useNode } from "./node-host";
import { installSimDevice } from "./sim-device";

installSimDevice();
useNode();
run(app).catch((e: unknown) => {
  process.stderr.write(`main failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
