// `npm run fuzz -- [--runs N] [--seed S] [--without step,step] [--tolerate bug,bug]`: the model-based test of the scheduler
// core (host-tests/lib/sched-model.ts, also run by npm test on 2,000 programs) on as many random
// programs as you like. On a failure fast-check prints the seed, the replay path and the shrunk program
// (a list of commands); the same --seed and --runs give the same programs. --without leaves step kinds
// out of the programs (burst, catchLoop, scope, gather, group, tryCatch, or any leaf step) to look past
// a known bug; --tolerate names known bugs the checks let pass (TOLERATE in sched-model.ts).
import { TOLERATE, WITHOUT, checkPrograms } from "../host-tests/lib/sched-model";

function parse(argv: string[]): { runs: number; seed: number; without: string[]; tolerate: string[] } | string {
  const out = { runs: 10_000, seed: Date.now() % 1_000_000, without: [] as string[], tolerate: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === "--help" || a === "-h") return "";
    if (v === undefined) return `${a} needs a value`;
    i++;
    if (a === "--runs" || a === "--seed") {
      const n = Number(v);
      if (!Number.isInteger(n) || n < (a === "--runs" ? 1 : 0)) return `${a} takes a whole number, got ${v}`;
      if (a === "--runs") out.runs = n;
      else out.seed = n;
    } else if (a === "--without" || a === "--tolerate") {
      out[a === "--without" ? "without" : "tolerate"] = v.split(",").filter((x) => x !== "");
    } else {
      return `unknown option ${a}`;
    }
  }
  return out;
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2));
  if (typeof opts === "string") {
    if (opts !== "") process.stderr.write(`npm run fuzz: ${opts}\n`);
    process.stderr.write("usage: npm run fuzz -- [--runs N] [--seed S] [--without step,step] [--tolerate bug,bug]\n");
    return opts === "" ? 0 : 2;
  }
  for (const w of opts.without) WITHOUT.add(w);
  for (const b of opts.tolerate) TOLERATE.add(b);
  const without = (opts.without.length > 0 ? `, without ${opts.without.join(",")}` : "") + (opts.tolerate.length > 0 ? `, tolerating ${opts.tolerate.join(",")}` : "");
  process.stdout.write(`fuzz: ${opts.runs} programs, seed ${opts.seed}${without}\n`);
  const t0 = Date.now();
  try {
    await checkPrograms(opts.runs, opts.seed);
  } catch (e) {
    process.stdout.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.stdout.write(`fuzz: FAILED (seed ${opts.seed}) after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return 1;
  }
  process.stdout.write(`fuzz: ${opts.runs} programs passed in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 1; });
