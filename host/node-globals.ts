// What Moddable gives a program and Node does not, for running device-style programs unchanged on Node
// (`npm run first-program` preloads it): the scheduler's Node host as run()'s default, and trace() on stdout.
import { useNode } from "./node-host";

useNode();
(globalThis as unknown as { trace: (...a: unknown[]) => void }).trace = (...a: unknown[]): void => void process.stdout.write(a.map(String).join(""));
