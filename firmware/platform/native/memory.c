/*
 * XS heap figures for the console's `mem` (firmware/platform/memory.ts reads them through memory.js). Release
 * builds have no Moddable Instrumentation (it needs INSTRUMENT=1, debug builds), so this reads the machine's own
 * counters, which XS keeps in every build, plus what the platform's allocator tells. The manifest
 * (manifest_include.json) lists this module for esp32 and pico.
 */
#include "xsAll.h"
#include "xsmc.h"

#if ESP32
	#include "esp_heap_caps.h"
#else
	/* the Pico: newlib's malloc on the heap between the end of .bss and __StackLimit (pico-sdk's linker script) */
	#include <malloc.h>
	#include <unistd.h>
	extern char __StackLimit;
#endif

/*
 * xs_async_memory(gc): collect garbage first if gc is true (the slot count is exact only after a collection),
 * then answer [slot bytes in use, slot bytes reserved, chunk bytes in use, chunk bytes reserved, chunk bytes peak,
 * bytes of the static XS area not yet claimed (-1 without one), system heap free, largest free system block].
 */
void xs_async_memory(xsMachine *the)
{
	double figures[8];
	int i;
	if ((xsmcArgc > 0) && xsmcTest(xsArg(0)))
		xsCollectGarbage();
	figures[0] = (double)the->currentHeapCount * sizeof(txSlot);
	figures[1] = (double)the->maximumHeapCount * sizeof(txSlot);
	figures[2] = (double)the->currentChunksSize;
	figures[3] = (double)the->maximumChunksSize;
	figures[4] = (double)the->peakChunksSize;
	figures[5] = the->heap ? (double)(the->heap_pend - the->heap_ptr) : -1;
#if ESP32
	figures[6] = (double)heap_caps_get_free_size(MALLOC_CAP_8BIT);
	figures[7] = (double)heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
#else
	{
		/* free: the freed chunks plus the never-claimed space above the heap's top; the largest block newlib does
		   not tell: the space above the top is one block (a lower bound of the largest) */
		struct mallinfo mi = mallinfo();
		char *top = (char *)sbrk(0);
		double above = (top != (char *)-1 && top < &__StackLimit) ? (double)(&__StackLimit - top) : 0;
		figures[6] = (double)mi.fordblks + above;
		figures[7] = above;
	}
#endif
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 8);
	for (i = 0; i < 8; i++) {
		xsmcSetNumber(xsVar(0), figures[i]);
		xsmcSetIndex(xsResult, i, xsVar(0));
	}
}
