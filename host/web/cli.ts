// The `--web [PORT]` option of `npm start` (host/start.ts), kept here so start.ts needs only a small hook.
import type { Demo } from "../../examples/demo/app";
import type { SimBoard } from "../../sim/board";
import { startDashboard } from "./server";

/** Default port of the dashboard. */
export const WEB_PORT = 8080;

/**
 * Take `--web [PORT]` out of the arguments: returns the port (null without --web) and the other arguments.
 * A PORT that is not 0..65535 is an error (thrown, with the message to print).
 */
export function takeWebOption(argv: string[]): { port: number | null; rest: string[] } {
  const rest: string[] = [];
  let port: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a !== "--web") {
      rest.push(a);
      continue;
    }
    port = WEB_PORT;
    const v = argv[i + 1];
    if (v !== undefined && !v.startsWith("-")) {
      i++;
      const n = Number(v);
      if (!/^\d+$/.test(v) || n > 65535) throw new Error(`--web PORT: a port number 0..65535 (0: any free port), got ${JSON.stringify(v)}`);
      port = n;
    }
  }
  return { port, rest };
}

/**
 * Serve the dashboard for the running demo and print its URL; if it cannot start (a busy port), `fail`
 * gets the one-line reason (npm start exits non-zero with it: a dashboard asked for and not served is an error).
 */
export function openDashboard(port: number, sim: SimBoard, demo: Demo, consolePort: number, print: (line: string) => void, fail: (why: string) => void = print): void {
  startDashboard({ port, sim, demo, consolePort }).then(
    (d) => print(`dashboard: ${d.url} (the board, tasks, services, log, console and task timeline; 127.0.0.1 only)`),
    (e: unknown) => fail(`dashboard: not started: ${e instanceof Error ? e.message : String(e)}`),
  );
}
