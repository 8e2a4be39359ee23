import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assert } from "./lib/assert";
import { FilePrefs } from "../host/preferences-file";
import { getJSON, setJSON } from "../firmware/control/index";

describe("FilePrefs (Node)", () => {
  it("persists values across instances, including ArrayBuffers; a corrupt file is a clear error", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prefs-"));
    const file = path.join(dir, "sub", "prefs.json");
    const a = new FilePrefs(file);
    assert.equal(a.get("svc", "x"), undefined);
    a.set("svc", "on", true);
    a.set("svc", "n", 7);
    setJSON(a, "svc", "net", { enabled: false, args: [1, "two"] });
    a.set("bin", "k", new Uint8Array([0, 255, 16]).buffer);
    const b = new FilePrefs(file);
    assert.equal(b.get("svc", "on"), true);
    assert.equal(b.get("svc", "n"), 7);
    assert.deepEqual(getJSON(b, "svc", "net"), { enabled: false, args: [1, "two"] });
    assert.deepEqual([...new Uint8Array(b.get("bin", "k") as ArrayBuffer)], [0, 255, 16]);
    assert.deepEqual(b.keys("svc"), ["on", "n", "net"]);
    b.delete("svc", "n");
    assert.deepEqual(new FilePrefs(file).keys("svc"), ["on", "net"]);
    fs.writeFileSync(file, "{ not json");
    assert.throws(() => new FilePrefs(file), /is not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});
