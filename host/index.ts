/**
 * Node-side tools (`xs-async/host`): run an app on the simulated board in real time with a terminal console
 * (what `xs-async start` and this repository's `npm start` do), the scheduler's Node host, and preferences kept
 * in a JSON file. Node only: an app's firmware never imports this.
 */
export { startApp, type StartOptions } from "./run-app";
export { useNode, NodeHost } from "./node-host";
export { FilePrefs } from "./preferences-file";
