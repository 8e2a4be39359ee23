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
	/* the Pico port's allocator (Moddable's make.pico.mk sets SFE_ALLOC=1: sparkfun_pico/sfe_pico_alloc.h) */
	extern size_t sfe_mem_size(void);
	extern size_t sfe_mem_used(void);
	extern size_t sfe_mem_max_free_size(void);
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
	figures[6] = (double)(sfe_mem_size() - sfe_mem_used());
	figures[7] = (double)sfe_mem_max_free_size();
#endif
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 8);
	for (i = 0; i < 8; i++) {
		xsmcSetNumber(xsVar(0), figures[i]);
		xsmcSetIndex(xsResult, i, xsVar(0));
	}
}
