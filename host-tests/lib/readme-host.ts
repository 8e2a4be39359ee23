// Imported by readme.test.ts before the README's program: the program calls run() when it is loaded,
// so run()'s default host must already be a virtual clock, one that moves only when the test says,
// and trace() must already collect (readme.test.ts puts the original back when it is done).
import { VirtualHost, setDefaultHost } from "../../firmware/sched/index";

type Trace = (...a: unknown[]) => void;
const g = globalThis as unknown as { trace: Trace };

export const readmeHost = new VirtualHost({ autojump: false });
/** What the program traced, each as `text@virtual ms`. */
export const readmeTrace: string[] = [];
/** The trace() there was before (undefined on Node). */
export const originalTrace: Trace = g.trace;

setDefaultHost(readmeHost);
g.trace = (...a: unknown[]): void => void readmeTrace.push(`${a.map(String).join("").trim()}@${readmeHost.now()}`);
