import { assert } from "./lib/assert";
import {
  BusyError, CancelledError, ClosedError, InvalidStateError, TaskGroupError, TimeoutError, WouldBlock, isCancelled, isTimeout,
  nameErrorClass,
} from "../firmware/sched/index";

// The runtime's errors: what a catch block can rely on (class, name, default message), also for errors
// that come from another bundle and are recognised by name.
describe("runtime errors", () => {
  it("each class has its name and a default message", () => {
    const errors: Error[] = [new CancelledError(), new TimeoutError(), new WouldBlock(), new ClosedError(), new BusyError(), new InvalidStateError("bad state"), new TaskGroupError([])];
    assert.deepEqual(errors.map((e) => `${e.name}: ${e.message}`), [
      "CancelledError: cancelled", "TimeoutError: timed out", "WouldBlock: operation would block", "ClosedError: closed", "BusyError: busy",
      "InvalidStateError: bad state", "TaskGroupError: 0 tasks failed: ",
    ]);
    assert.ok(errors.every((e) => e instanceof Error));
  });

  it("isCancelled and isTimeout recognise the classes and, across bundles, objects of that name; nothing else", () => {
    const values: unknown[] = [
      new CancelledError(), new TimeoutError(), { name: "CancelledError" }, { name: "TimeoutError" }, "CancelledError", "TimeoutError",
      null, undefined, new Error("cancelled"), { name: "Other" },
    ];
    assert.deepEqual(values.map((v) => [isCancelled(v), isTimeout(v)]), [
      [true, false], [false, true], [true, false], [false, true], [false, false], [false, false],
      [false, false], [false, false], [false, false], [false, false],
    ]);
  });

  it("a name lives on the prototype: an instance may override it, and it is not listed among the error's fields", () => {
    const e = new ClosedError("port closed");
    const fields: string[] = [];
    for (const k in e) fields.push(k);
    assert.deepEqual(fields, []);
    e.name = "PortClosed";
    assert.equal(e.name, "PortClosed");
    assert.equal(new ClosedError().name, "ClosedError");
  });

  it("nameErrorClass names a subclass of your own the same way; a subclass can be named again", () => {
    class ModemGone extends ClosedError {}
    nameErrorClass(ModemGone, "ModemGone");
    const e = new ModemGone("no carrier");
    assert.equal(`${e.name}: ${e.message}`, "ModemGone: no carrier");
    assert.ok(e instanceof ClosedError);
    nameErrorClass(ModemGone, "ModemLost");
    assert.equal(new ModemGone().name, "ModemLost");
  });
});
