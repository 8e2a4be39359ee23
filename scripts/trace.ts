// `npm run trace -- dump.txt [out.json]`: a `trace dump` saved from a console (npm run console, npm start,
// a serial terminal log; other text around the dump is ignored) to Chrome trace-event JSON, for Perfetto
// (ui.perfetto.dev) or chrome://tracing. "-" reads stdin; without out.json, writes dump.json beside it.
// The input is read as a stream, a line at a time (a 100 MB console log converts in bounded memory: one
// dump's records); a directory or a device is refused up front, a line over 64 KB (no line ends: not a
// console log) is refused, and any defect of the dump exits 1 with one line.
import * as fs from "node:fs";
import { DumpParser, dumpToTraceEvents } from "../host/trace-events";

/** Longest line accepted (a trace dump's lines are under 100 bytes; a console line is under 1 KB). */
const MAX_LINE = 65536;

function fail(input: string, why: string): number {
  process.stderr.write(`npm run trace: ${input}: ${why}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length < 1 || argv.length > 2 || argv[0] === "--help" || argv[0] === "-h") {
    process.stderr.write("usage: npm run trace -- <dump.txt|-> [out.json]\n");
    return argv[0] === "--help" || argv[0] === "-h" ? 0 : 2;
  }
  const input = argv[0]!;
  const output = argv[1] ?? (input === "-" ? "trace.json" : input.replace(/\.[^./]*$/, "") + ".json");
  if (input !== "-") {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      return fail(input, `cannot read it: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    if (!st.isFile()) return fail(input, `not a regular file (${st.isDirectory() ? "a directory" : "a device, pipe or socket"}): give the text file a trace dump was saved to`);
  }
  const parser = new DumpParser();
  let partial = "";
  try {
    const stream = input === "-" ? process.stdin : fs.createReadStream(input);
    stream.setEncoding("utf8");
    for await (const chunk of stream as AsyncIterable<string>) {
      let text = partial + chunk;
      let nl: number;
      while ((nl = text.indexOf("\n")) >= 0) {
        parser.line(text.slice(0, nl));
        text = text.slice(nl + 1);
      }
      if (text.length > MAX_LINE) throw new Error(`a line longer than ${MAX_LINE / 1024} KB: not a console log with a trace dump`);
      partial = text;
    }
    if (partial !== "") parser.line(partial);
    const dump = parser.finish();
    const json = dumpToTraceEvents(dump);
    fs.writeFileSync(output, JSON.stringify(json));
    const lanes = new Set(dump.records.map((r) => r.lane));
    process.stdout.write(`${output}: ${json.traceEvents.length} events from ${dump.records.length} records, ${lanes.size} lanes (open it in ui.perfetto.dev or chrome://tracing)\n`);
    return 0;
  } catch (e) {
    return fail(input, (e as Error).message);
  }
}

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
