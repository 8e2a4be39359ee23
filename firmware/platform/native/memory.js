// XS heap figures from the device (memory.c): the host function behind firmware/platform/memory.ts's device
// provider. Plain JS because the host-function syntax (`function f() @ "name"`) is XS-only; memory.d.ts has the
// typings. manifest_include.json lists it for esp32 and pico.

function xsMemory(gc) @ "xs_async_memory";

export { xsMemory };
