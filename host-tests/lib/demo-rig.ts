// The demo app on a fresh simulated board with its console on the sim console port (virtual time), for
// the console tests (demo-console-input, demo-console-lines).
import { app, type Demo } from "../../examples/demo/app";
import { simAppConfig } from "../../examples/demo/sim-config";
import { MemoryPrefs } from "../../firmware/control/prefs";
import { sleepMs, spawn, type Gen } from "../../firmware/sched/index";
import { SIM_CONSOLE_PORT, addStimulusCommands, createSimBoard, type SimBoard } from "../../sim/board";
import type { SimSerialPort } from "../../sim/serial";

export interface DemoRig {
  sim: SimBoard;
  demo: Demo;
  con: SimSerialPort;
  printed: string[];
  /** Type a line on the console, wait `waitMs`, return what the console wrote meanwhile. */
  ask(line: string, waitMs?: number): Gen<string>;
}

/** Start the demo and let it boot (500 ms). Call inside a task. */
export function* startDemo(): Gen<DemoRig> {
  const sim = createSimBoard();
  const printed: string[] = [];
  let demo: Demo | null = null;
  const config = simAppConfig(sim, {
    prefs: new MemoryPrefs(),
    print: (l) => printed.push(l),
    onReady: (d) => {
      demo = d;
      addStimulusCommands(d.console!, sim);
    },
  });
  spawn("app", app, config);
  yield* sleepMs(0);
  if (demo === null) throw new Error("the demo did not start");
  const con = sim.port(SIM_CONSOLE_PORT)!;
  yield* sleepMs(500);
  return {
    sim, demo, con, printed,
    *ask(line: string, waitMs = 300): Gen<string> {
      con.peer.clearReceived();
      con.peer.send(line + "\n");
      yield* sleepMs(waitMs);
      return con.peer.receivedText();
    },
  };
}
