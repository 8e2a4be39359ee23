/*
 * Edge capture for the Pico: the host functions behind firmware/platform/pico/edges.js.
 *
 * A GPIO interrupt handler records each edge of a watched pin as (pin, level, time_us_64()) in one ring
 * shared by the watched pins, so edges keep their order across pins (a quadrature encoder needs that) and
 * their time is the time they happened, not the time the JS loop got to them. When the ring goes from
 * "nothing posted" to "edges waiting", the handler posts one message to the main loop; at that turn the
 * message hands every edge in the ring, oldest first, to its pin's JS callback (one message per batch, not
 * one per edge). A full ring drops the new edge and counts an overrun for its pin.
 *
 * Coexistence with Moddable's digital IO (modules/io/digital/pico/digitalbank.c): Moddable installs the
 * pico-sdk's per-core GPIO callback (gpio_set_irq_enabled_with_callback) and takes every pin event it
 * finds. This module adds a raw handler for its own pins instead (gpio_add_raw_irq_handler_masked): the
 * sdk's default handler skips the pins of the raw mask, and this handler reads and acknowledges only them.
 * JS opens the pin with Moddable's Digital without onReadable, so mode, pulls and read() stay Moddable's.
 *
 * No 64-bit division on the edge path: the time is stored as time_us_64() returns it and becomes a double
 * when it is handed to JS.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/timer.h"
#include "hardware/sync.h"

#define kEdgePins (30)
#define kEdgeRing (256)			/* edges, a power of two: 256 x 10 bytes */

static uint64_t gEdgeTimes[kEdgeRing];
static uint8_t gEdgePins[kEdgeRing];
static uint8_t gEdgeLevels[kEdgeRing];
static volatile uint32_t gEdgeHead;		/* edges written (the interrupt handler) */
static volatile uint32_t gEdgeTail;		/* edges handed to JS (the main loop) */
static volatile uint8_t gEdgePosted;	/* a message is on its way to the main loop */
static volatile uint32_t gEdgeOverruns[kEdgePins];
static uint8_t gEdgeEvents[kEdgePins];	/* GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL per watched pin, 0: not watched */
static xsSlot gEdgeCallbacks[kEdgePins];
static xsMachine *gEdgeMachine;
static volatile uint32_t gEdgeRawMask;

static void edgeDeliver(void *machine, void *refcon, uint8_t *message, uint16_t messageLength);

static void edgeRecord(uint8_t pin, uint8_t level, uint64_t now)
{
	uint32_t head = gEdgeHead;
	if ((head - gEdgeTail) >= kEdgeRing) {
		gEdgeOverruns[pin] += 1;
		return;
	}
	gEdgeTimes[head & (kEdgeRing - 1)] = now;
	gEdgePins[head & (kEdgeRing - 1)] = pin;
	gEdgeLevels[head & (kEdgeRing - 1)] = level;
	__compiler_memory_barrier();
	gEdgeHead = head + 1;
}

static void edgeISR(void)
{
	uint64_t now = time_us_64();
	uint32_t mask = gEdgeRawMask;
	uint8_t pin;

	for (pin = 0; mask; pin++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		uint32_t events = gpio_get_irq_event_mask(pin) & (GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL);
		if (!events)
			continue;
		gpio_acknowledge_irq(pin, events);
		if ((GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL) == events) {
			/* both latched since the last interrupt: the level now says which came last */
			uint8_t level = gpio_get(pin) ? 1 : 0;
			edgeRecord(pin, level ^ 1, now);
			edgeRecord(pin, level, now);
		}
		else
			edgeRecord(pin, (events & GPIO_IRQ_EDGE_RISE) ? 1 : 0, now);
	}
	if (!gEdgePosted && (gEdgeHead != gEdgeTail)) {
		gEdgePosted = 1;
		if (modMessagePostToMachineFromISR(gEdgeMachine, edgeDeliver, NULL))
			gEdgePosted = 0;		/* the ISR message pool is full: the next edge tries again */
	}
}

/* Replace the raw handler's pin mask (interrupts disabled by the caller). */
static void edgeSetRawMask(uint32_t mask)
{
	if (gEdgeRawMask)
		gpio_remove_raw_irq_handler_masked(gEdgeRawMask, edgeISR);
	gEdgeRawMask = mask;
	if (mask) {
		gpio_add_raw_irq_handler_masked(mask, edgeISR);
		irq_set_enabled(IO_IRQ_BANK0, true);
	}
}

/* Hand every edge in the ring to its pin's callback, oldest first. */
static void edgeDrain(xsMachine *the)
{
	for (;;) {
		uint32_t tail = gEdgeTail;
		if (tail == gEdgeHead)
			break;
		__compiler_memory_barrier();
		uint8_t pin = gEdgePins[tail & (kEdgeRing - 1)];
		uint8_t level = gEdgeLevels[tail & (kEdgeRing - 1)];
		double us = (double)gEdgeTimes[tail & (kEdgeRing - 1)];
		gEdgeTail = tail + 1;
		if (!gEdgeEvents[pin])
			continue;		/* closed since */
		xsmcSetInteger(xsVar(0), level);
		xsmcSetNumber(xsVar(1), us);
		xsCallFunction2(gEdgeCallbacks[pin], xsGlobal, xsVar(0), xsVar(1));
	}
}

static void edgeDeliver(void *machine, void *refcon, uint8_t *message, uint16_t messageLength)
{
	gEdgePosted = 0;		/* edges from here on post again; this call hands over what is there */
	if (!gEdgeMachine || (gEdgeMachine != machine))
		return;
	xsBeginHost(gEdgeMachine);
		xsmcVars(2);
		edgeDrain(the);
	xsEndHost(gEdgeMachine);
}

static int edgePinArg(xsMachine *the)
{
	int pin = xsmcToInteger(xsArg(0));
	if ((pin < 0) || (pin >= kEdgePins))
		xsRangeError("edge capture: invalid pin");
	return pin;
}

/* open(pin, edge, callback(level, us)): edge 1 rising, 2 falling, 3 both. */
void xs_edges_open(xsMachine *the)
{
	int pin = edgePinArg(the);
	int edge = xsmcToInteger(xsArg(1));
	uint32_t status;

	if ((edge < 1) || (edge > 3))
		xsRangeError("edge capture: edge must be 1, 2 or 3");
	if (gEdgeEvents[pin])
		xsUnknownError("edge capture: pin already watched");
	if (gEdgeMachine && (gEdgeMachine != the))
		xsUnknownError("edge capture: one machine only");

	gEdgeMachine = the;
	gEdgeCallbacks[pin] = xsArg(2);
	xsRemember(gEdgeCallbacks[pin]);
	gEdgeOverruns[pin] = 0;

	status = save_and_disable_interrupts();
		gEdgeEvents[pin] = ((edge & 1) ? GPIO_IRQ_EDGE_RISE : 0) | ((edge & 2) ? GPIO_IRQ_EDGE_FALL : 0);
		edgeSetRawMask(gEdgeRawMask | (1u << pin));
	restore_interrupts(status);
	gpio_set_irq_enabled(pin, gEdgeEvents[pin], true);		/* acknowledges stale events first */
}

/* drain(): hand over the edges recorded so far now, without waiting for the message. */
void xs_edges_drain(xsMachine *the)
{
	xsmcVars(2);
	edgeDrain(the);
}

/* overruns(pin): edges of the pin dropped because the ring was full, since it was opened. */
void xs_edges_overruns(xsMachine *the)
{
	int pin = edgePinArg(the);
	xsmcSetNumber(xsResult, (xsNumberValue)gEdgeOverruns[pin]);
}

/* close(pin): stop watching; edges of the pin still in the ring are skipped. Safe twice. */
void xs_edges_close(xsMachine *the)
{
	int pin = edgePinArg(the);
	uint32_t status;

	if (!gEdgeEvents[pin])
		return;
	gpio_set_irq_enabled(pin, gEdgeEvents[pin], false);
	status = save_and_disable_interrupts();
		gEdgeEvents[pin] = 0;
		edgeSetRawMask(gEdgeRawMask & ~(1u << pin));
	restore_interrupts(status);
	gpio_acknowledge_irq(pin, GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL);
	xsForget(gEdgeCallbacks[pin]);
}
