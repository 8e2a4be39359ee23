/*
 * The Pico's microsecond clock for XS: the host function behind firmware/platform/pico/micros.js.
 * Moddable 8.2.3's modules/base/microseconds does not compile for the plain `-p pico` target (its RP2040
 * branch keys on PICO_BOARD), so the project brings its own. The manifest lists this module under
 * "platforms" > "pico" only.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "hardware/timer.h"

/* µs since boot from the RP2040's 64-bit timer: as a double it is exact for 285 years, so it never wraps. */
void xs_pico_micros(xsMachine *the)
{
	xsmcSetNumber(xsResult, (xsNumberValue)time_us_64());
}
