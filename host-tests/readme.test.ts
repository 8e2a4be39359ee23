// The README's first program, as written (examples/first-program.ts, which readme.node.test.ts checks is
// the README's own code block), run on the virtual clock. Keeps the README true.
import { assert } from "./lib/assert";
import { originalTrace, readmeHost, readmeTrace } from "./lib/readme-host";
import "../examples/first-program";

declare const setImmediate: (cb: () => void) => unknown;
const turn = (): Promise<void> => new Promise((resolve) => void setImmediate(resolve));

describe("README example", () => {
  it("the producer puts an item every 100 ms and the consumer traces each one as it comes", async () => {
    try {
      for (let t = 0; t < 1000; t += 10) {
        readmeHost.advance(10);
        for (let i = 0; i < 4; i++) await turn();
      }
    } finally {
      (globalThis as unknown as { trace: unknown }).trace = originalTrace;
    }
    assert.deepEqual(readmeTrace, ["got 0@0", "got 1@100", "got 2@200", "got 3@300", "got 4@400", "got 5@500", "got 6@600", "got 7@700", "got 8@800", "got 9@900", "got 10@1000"]);
    assert.deepEqual(readmeHost.lines, []);
  });
});
