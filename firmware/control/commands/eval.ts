import type { Console } from "../console";
import { show } from "../time";

/**
 * `eval JS`: off unless the console was made with `allowEval: true`; then indirect eval (global scope)
 * if the engine has it. The answer is the value shown as JSON (a thrown error answers `error: ...`).
 */
export function installEvalCommand(con: Console): void {
  con.register("eval", "eval CODE: evaluate JavaScript (only if the firmware enabled it)", ({ rest }) => {
    if (!con.allowEval) throw new Error("eval is disabled (the firmware enables it with new Console(io, { allowEval: true }))");
    const ev = (globalThis as { eval?: (code: string) => unknown }).eval;
    if (typeof ev !== "function") throw new Error("eval is not available on this engine");
    if (rest === "") throw new TypeError("usage: eval CODE");
    let v: unknown;
    try {
      v = ev(rest); // a call through a variable: indirect eval, global scope
    } catch (e) {
      // the code's own error: here its class is part of the answer
      if (e instanceof Error) throw new Error(`${e.name}: ${e.message}`);
      throw e;
    }
    return show(v, 1000);
  });
}
