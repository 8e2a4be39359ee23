// `npm start` in this repository: the demo app (examples/demo/) on Node, in real time, on the simulated board
// its description declares (examples/demo/board.ts), with its console on this terminal and console commands
// that drive the simulated hardware. The runner is host/run-app.ts, the same one `xs-async start` uses for an
// app made with the starter.
//
//   npm start [-- --console-tty <path>] [--for <seconds>] [--web [PORT]]
import * as path from "node:path";
import demo from "../examples/demo/app";
import { demoBoards } from "../examples/demo/board";
import { startApp } from "./run-app";

startApp({
  app: demo,
  description: demoBoards.sim,
  prefsFile: path.resolve(__dirname, "..", "build", "demo-prefs.json"),
  argv: process.argv.slice(2),
});
