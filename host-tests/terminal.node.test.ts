// The npm start console's line editor (host/terminal.ts) on a terminal: history with Up, output printed
// above the line being typed (which is redrawn), Ctrl-D ends the input. Node-only (node:readline).
import { PassThrough } from "node:stream";
import { assert } from "./lib/assert";
import { Terminal } from "../host/terminal";

function term(): { t: Terminal; input: PassThrough; shown: () => string; lines: string[]; ended: () => boolean } {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = "";
  output.on("data", (d: Buffer) => (out += d.toString()));
  const t = new Terminal({ input, output, interactive: true, prompt: "> " });
  const lines: string[] = [];
  let ended = false;
  t.onLine((l) => lines.push(l));
  t.onEnd(() => (ended = true));
  return { t, input, shown: () => out, lines, ended: () => ended };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const UP = "\x1b[A";

describe("npm start terminal console (line editing)", () => {
  it("Up brings back the previous line, and Enter sends it again; no escape sequence reaches the firmware", async () => {
    const k = term();
    k.input.write("led on\r");
    await tick();
    k.input.write("status\r");
    await tick();
    k.input.write(UP + UP + "\r");
    await tick();
    assert.deepEqual(k.lines, ["led on", "status", "led on"]);
    k.t.close();
  });

  it("a log line printed while a line is typed goes above it, and the typed line is redrawn after it", async () => {
    const k = term();
    k.input.write("led o");
    await tick();
    const before = k.shown().length;
    k.t.print("12.345 [INFO] [env] 20.00 °C");
    const after = k.shown().slice(before);
    // cleared the line, printed the log line on its own, then the prompt with what was typed so far
    assert.match(after, /12\.345 \[INFO\] \[env\] 20\.00 °C\n/);
    assert.ok(after.endsWith("> led o") || /> led o(\x1b\[\d+G)?$/.test(after), JSON.stringify(after));
    k.input.write("n\r");
    await tick();
    assert.deepEqual(k.lines, ["led on"]);
    k.t.close();
  });

  it("Ctrl-D on an empty line ends the input", async () => {
    const k = term();
    k.input.write("\x04");
    await tick();
    assert.equal(k.ended(), true);
  });
});

describe("npm start terminal console: Ctrl-C (issue 24)", () => {
  it("Ctrl-C on a half-typed line clears it (nothing is sent, no SIGINT); on an empty line it is the process's SIGINT", async () => {
    const k = term();
    let sigints = 0;
    const onSigint = (): void => void sigints++;
    process.on("SIGINT", onSigint);
    try {
      k.input.write("led of");
      await tick();
      k.input.write("\x03");
      await tick();
      assert.equal(sigints, 0);
      k.input.write("status\r");
      await tick();
      assert.deepEqual(k.lines, ["status"], "the cleared text never reaches the firmware");
      k.input.write("\x03");
      await tick();
      assert.equal(sigints, 1);
    } finally {
      process.removeListener("SIGINT", onSigint);
      k.t.close();
    }
  });
});
