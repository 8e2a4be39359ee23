// `npm run trace -- dump.txt [out.json]`: a `trace dump` saved from a console (npm run console, npm start,
// a serial terminal log; other text around the dump is ignored) to Chrome trace-event JSON, for Perfetto
// (ui.perfetto.dev) or chrome://tracing. "-" reads stdin; without out.json, writes dump.json beside it.
import * as fs from "node:fs";
import { dumpToTraceEvents, parseDump } from "../host/trace-events";

function main(argv: string[]): number {
  if (argv.length < 1 || argv.length > 2 || argv[0] === "--help" || argv[0] === "-h") {
    process.stderr.write("usage: npm run trace -- <dump.txt|-> [out.json]\n");
    return argv[0] === "--help" || argv[0] === "-h" ? 0 : 2;
  }
  const input = argv[0]!;
  const output = argv[1] ?? (input === "-" ? "trace.json" : input.replace(/\.[^./]*$/, "") + ".json");
  let text: string;
  try {
    text = fs.readFileSync(input === "-" ? 0 : input, "utf8");
  } catch (e) {
    process.stderr.write(`npm run trace: cannot read ${input}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const dump = parseDump(text);
    const json = dumpToTraceEvents(dump);
    fs.writeFileSync(output, JSON.stringify(json));
    const lanes = new Set(dump.records.map((r) => r.lane));
    process.stdout.write(`${output}: ${json.traceEvents.length} events from ${dump.records.length} records, ${lanes.size} lanes (open it in ui.perfetto.dev or chrome://tracing)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`npm run trace: ${input}: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
