/*
 * The XS heap in bytes, for the device bench (main.ts). Moddable's instrumentation module answers only in
 * instrumented builds (mcconfig -i), which also sample every second and print a console line for every
 * exception thrown; these two functions read the same machine fields in any build.
 */
#include "xsAll.h"

/* Slots and chunks in use (exact right after a garbage collection). */
void xs_bench_heap_used(txMachine* the)
{
	mxResult->value.integer = (txInteger)(the->currentHeapCount * sizeof(txSlot) + the->currentChunksSize);
	mxResult->kind = XS_INTEGER_KIND;
}

/* Slots and chunks reserved: the heap XS has grown to (it never shrinks). */
void xs_bench_heap_reserved(txMachine* the)
{
	mxResult->value.integer = (txInteger)(the->maximumHeapCount * sizeof(txSlot) + the->maximumChunksSize);
	mxResult->kind = XS_INTEGER_KIND;
}

/* Turn garbage collection off (false) or back on (true): the garbage rows measure what a workload
   allocates with none collected meanwhile (XS grows the heap instead while it is off). */
void xs_bench_collect(txMachine* the)
{
	fxEnableGarbageCollection(the, fxToBoolean(the, mxArgv(0)));
}
