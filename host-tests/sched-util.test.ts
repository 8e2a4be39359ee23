// The function predicates the control plane, the drivers and the scheduler decide with (firmware/sched/util):
// by prototype, so they hold on a device where functions have no names.
import { assert } from "./lib/assert";
import { describe as text, isAsyncFunction, isGeneratorFunction, isIterator, isTaskFunction, isThenable } from "../firmware/sched/util";

function* gen(): Generator<number> {
  yield 1;
}
async function asyncFn(): Promise<number> {
  return 1;
}
const plain = (): number => 1;
const returnsGenerator = (): Generator<number> => gen();
const notFunctions: unknown[] = [undefined, null, 0, "function", {}, gen(), Promise.resolve(1), Symbol("s")];

describe("sched/util predicates", () => {
  it("isGeneratorFunction, isAsyncFunction, isTaskFunction: only the declared kind, never a plain function returning one, never a non-function", () => {
    const row = (f: unknown): string => `${isGeneratorFunction(f)} ${isAsyncFunction(f)} ${isTaskFunction(f)}`;
    assert.deepEqual([gen, asyncFn, async () => 1, plain, returnsGenerator].map(row), [
      "true false true", "false true true", "false true true", "false false false", "false false false",
    ]);
    assert.deepEqual(notFunctions.map(row), notFunctions.map(() => "false false false"));
  });

  it("isIterator needs next and throw; isThenable a callable then", () => {
    assert.deepEqual([gen(), { next() {}, throw() {} }, { next() {} }, null, undefined, "x"].map((v) => isIterator(v)), [true, true, false, false, false, false]);
    const fnWithThen = Object.assign(() => 1, { then() {} });
    assert.deepEqual([Promise.resolve(1), { then() {} }, fnWithThen, { then: 1 }, null, undefined, 5].map((v) => isThenable(v)), [true, true, true, false, false, false, false]);
  });

  it("describe names a value for error texts without reading its contents", () => {
    assert.deepEqual([Symbol("s"), null, {}, [1], 5, "x", undefined].map(text), ["Symbol(s)", "null", "an object", "an object", "5", "x", "undefined"]);
  });
});
