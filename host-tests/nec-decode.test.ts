import { assert } from "./lib/assert";
import { NEC, decodeNec, type NecCode } from "../drivers/nec/decode";
import { necFrame, necRepeat } from "../sim/nec";

/** Edge timestamps (µs) of a burst starting at t0: the first edge, then one after each duration. */
function edges(ds: number[], t0 = 1_000_000): number[] {
  const ts = [t0];
  for (const d of ds) ts.push(ts[ts.length - 1]! + d);
  return ts;
}
const decode = (ds: number[], extended = false, last: NecCode | null = null): NecCode => {
  const ts = edges(ds);
  return decodeNec(ts, ts.length, extended, last);
};

describe("NEC decoding from edge timestamps", () => {
  it("every command 0..255 at several addresses decodes, with jitter", () => {
    for (const address of [0x00, 0x01, 0x5a, 0xfe]) {
      for (let command = 0; command < 256; command++) {
        const r = decode(necFrame(address, command, { jitterUs: 150, seed: address * 256 + command }));
        assert.deepEqual(r, { code: command, address, command });
      }
    }
  });

  it("extended (16-bit) addresses decode only when enabled; otherwise BADADDR", () => {
    assert.deepEqual(decode(necFrame(0x1234, 0x42, { extended: true }), true), { code: 0x42, address: 0x1234, command: 0x42 });
    assert.equal(decode(necFrame(0x1234, 0x42, { extended: true }), false).code, NEC.BADADDR);
  });

  it("a repeat code reports the last valid address and command", () => {
    const first = decode(necFrame(0x10, 0x20));
    assert.deepEqual(decode(necRepeat(), false, first), { code: NEC.REPEAT, address: 0x10, command: 0x20 });
    assert.deepEqual(decode(necRepeat(), false, null), { code: NEC.REPEAT, address: -1, command: -1 });
  });

  it("each error code comes from a crafted signal", () => {
    assert.equal(decode([3000, 4500, 562.5]).code, NEC.BADSTART); // leading mark too short
    assert.equal(decode([9000, 1000, 562.5]).code, NEC.BADSTART); // leading space too short
    assert.equal(decode(necFrame(1, 2, { truncate: 40 })).code, NEC.BADBLOCK);
    assert.equal(decode([9000, 2250, 562.5, 562.5, 562.5]).code, NEC.BADREP);
    const ts = edges(necFrame(1, 2));
    assert.equal(decodeNec(ts, 69, false, null).code, NEC.OVERRUN);
    assert.equal(decode(necFrame(1, 2, { flipBit: 20 })).code, NEC.BADDATA);
    assert.equal(decode(necFrame(1, 2, { flipBit: 9 })).code, NEC.BADADDR);
  });
});
