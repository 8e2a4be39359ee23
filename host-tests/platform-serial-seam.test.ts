import { assert } from "./lib/assert";
import { board, useSerial, type Board, type SerialConstructor } from "../firmware/platform/io";

// The seam through which the Pico build replaces Moddable's Serial (firmware/platform/pico/uart.js) with its
// own: board() hands the installed class as io.Serial and keeps everything else of the `device` global.
describe("platform Serial seam (useSerial)", () => {
  const holder = globalThis as unknown as { device?: Board };
  let saved: Board | undefined;
  class Moddables {}
  class Platforms {}
  const Digital = class {};
  const fake: Board = {
    io: { Digital: Digital as never, Serial: Moddables as unknown as SerialConstructor },
    pin: { led: 25 },
    Serial: { default: { transmit: 0, receive: 1 } },
  };

  beforeEach(() => {
    saved = holder.device;
    holder.device = fake;
  });
  afterEach(() => {
    useSerial(null);
    holder.device = saved;
  });

  it("without one installed, board() is the device global itself", () => {
    assert.equal(board(), fake);
    assert.equal(board().io.Serial, Moddables);
  });

  it("an installed class becomes io.Serial; the other classes, pins and defaults stay the device's", () => {
    useSerial(Platforms as unknown as SerialConstructor);
    const b = board();
    assert.equal(b.io.Serial, Platforms);
    assert.equal(b.io.Digital, Digital);
    assert.deepEqual(b.pin, { led: 25 });
    assert.equal(b.Serial, fake.Serial);
    assert.equal(board(), b, "the same board object on every call");
    assert.equal(fake.io.Serial, Moddables, "the device global is not written");
  });

  it("follows a new device global, and null gives the device's Serial back", () => {
    useSerial(Platforms as unknown as SerialConstructor);
    const other: Board = { ...fake, pin: { led: 2 } };
    holder.device = other;
    assert.deepEqual(board().pin, { led: 2 });
    assert.equal(board().io.Serial, Platforms);
    useSerial(null);
    assert.equal(board(), other);
  });
});
