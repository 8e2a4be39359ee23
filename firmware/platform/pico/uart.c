/*
 * UART ports for the Pico: the host functions behind firmware/platform/pico/uart.js, which gives them the
 * ECMA-419 Serial interface. They replace Moddable's pico Serial (SDK 8.2.3, modules/io/serial/pico), whose
 * interrupt handler counts references to the port record wrongly: it adds one each time it wants to tell JS
 * about a port, even when a message for that port is already on its way (and the "tell JS" flag of UART0
 * carries over into its pass over UART1), while each delivered message takes one away. The count is a byte,
 * so after 255 such extra adds a delivered message takes it to zero and frees the record of a port still in
 * use; the interrupt handler then writes received bytes into freed memory. With console and modem traffic at
 * once the demo hit that after about 40 s on the emulated Pico (docs/demo.md).
 *
 * Here nothing is reference counted and nothing is freed: each of the two UARTs has one static record (two
 * 256-byte rings and a few flags, about 570 bytes each), and a message posted to the main loop carries the
 * record's address, which stays valid forever. A message that arrives after close (or after a reopen) finds
 * the record's current state and does nothing wrong.
 *
 * The interrupt handler moves bytes between the UART's hardware FIFOs and the rings; when received bytes
 * are waiting, or transmit space opened after a write, and no message is on its way, it posts one. The
 * message calls the JS `deliver(readable, writable)` with the counts at that moment. The rings are single
 * producer, single consumer (the handler and the main loop), so their indices need no lock; the flags are
 * changed by the main loop with interrupts off.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "builtinCommon.h"
#include "hardware/uart.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/sync.h"

#define kRing (256)		/* bytes, a power of two */
#define kNoPin (-1)

typedef struct {
	uart_inst_t *uart;
	xsMachine *the;
	xsSlot deliver;				/* JS deliver(readable, writable), remembered while open */
	int16_t transmit;			/* pins, kNoPin if none */
	int16_t receive;
	volatile uint8_t open;
	volatile uint8_t posted;		/* a message is on its way to the main loop */
	volatile uint8_t tellReadable;	/* received bytes are waiting that JS has not been told about */
	volatile uint8_t wantWritable;	/* JS wrote since it was last told the free space */
	volatile uint8_t tellWritable;
	volatile uint32_t rxHead;		/* written by the interrupt handler */
	volatile uint32_t rxTail;		/* written by the main loop */
	volatile uint32_t txHead;		/* written by the main loop */
	volatile uint32_t txTail;		/* written by the interrupt handler */
	volatile uint32_t rxOverruns;	/* times the hardware FIFO overflowed (its overrun flag) */
	uint8_t rx[kRing];
	uint8_t tx[kRing];
} PicoUart;

static PicoUart gUarts[2];

static void uartDeliver(void *machine, void *refcon, uint8_t *message, uint16_t messageLength);

/* Move bytes, set the interrupt enables, and post a message if JS has something to learn. Runs in the
   interrupt handler, or in the main loop with interrupts off. */
static void uartService(PicoUart *port)
{
	uart_hw_t *hw = uart_get_hw(port->uart);

	while (uart_is_readable(port->uart) && ((port->rxHead - port->rxTail) < kRing)) {
		uint32_t data = hw->dr;
		if (data & UART_UARTDR_OE_BITS)
			port->rxOverruns += 1;
		port->rx[port->rxHead & (kRing - 1)] = (uint8_t)data;
		__compiler_memory_barrier();
		port->rxHead += 1;
		port->tellReadable = 1;
	}
	while ((port->txTail != port->txHead) && uart_is_writable(port->uart)) {
		hw->dr = port->tx[port->txTail & (kRing - 1)];
		port->txTail += 1;
	}
	if (port->wantWritable && ((port->txHead - port->txTail) < kRing)) {
		port->wantWritable = 0;
		port->tellWritable = 1;
	}
	/* receive interrupts while the ring has room (a full ring leaves bytes in the 32-byte hardware FIFO);
	   transmit interrupts while bytes wait, or while a writer waits for room */
	uart_set_irq_enables(port->uart,
		(kNoPin != port->receive) && ((port->rxHead - port->rxTail) < kRing),
		(port->txTail != port->txHead) || port->wantWritable);

	if (!port->posted && (port->tellReadable || port->tellWritable)) {
		port->posted = 1;
		if (modMessagePostToMachineFromISR(port->the, uartDeliver, port))
			port->posted = 0;		/* the message pool is full: the next interrupt or call tries again */
	}
}

static void uart0Handler(void)
{
	if (gUarts[0].open)
		uartService(&gUarts[0]);
}

static void uart1Handler(void)
{
	if (gUarts[1].open)
		uartService(&gUarts[1]);
}

static void uartServiceNow(PicoUart *port)
{
	uint32_t status = save_and_disable_interrupts();
		uartService(port);
	restore_interrupts(status);
}

static void uartDeliver(void *machine, void *refcon, uint8_t *message, uint16_t messageLength)
{
	PicoUart *port = refcon;
	uint32_t status, readable = 0, writable = 0;
	uint8_t tellReadable, tellWritable;

	status = save_and_disable_interrupts();
		port->posted = 0;
		tellReadable = port->tellReadable;
		tellWritable = port->tellWritable;
		port->tellReadable = 0;
		port->tellWritable = 0;
		if (tellReadable)
			readable = port->rxHead - port->rxTail;
		if (tellWritable)
			writable = kRing - (port->txHead - port->txTail);
	restore_interrupts(status);

	if (!port->open || (port->the != machine) || (!readable && !writable))
		return;
	xsBeginHost(port->the);
		xsmcVars(2);
		xsmcSetInteger(xsVar(0), readable);
		xsmcSetInteger(xsVar(1), writable);
		xsCallFunction2(port->deliver, xsGlobal, xsVar(0), xsVar(1));
	xsEndHost(port->the);
}

static int uartIndexArg(xsMachine *the)
{
	int index = xsmcToInteger(xsArg(0));
	if ((index < 0) || (index > 1))
		xsRangeError("serial: port must be 0 or 1");
	return index;
}

static PicoUart *uartArg(xsMachine *the)
{
	return &gUarts[uartIndexArg(the)];
}

static PicoUart *uartOpenArg(xsMachine *the)
{
	PicoUart *port = uartArg(the);
	if (!port->open)
		xsUnknownError("serial: closed");
	return port;
}

/* open(port, baud, transmit, receive, deliver(readable, writable)): pins -1 for none; JS checked that the
   pins belong to the port. Throws if the port or a pin is in use. */
void xs_pico_serial_open(xsMachine *the)
{
	int index = uartIndexArg(the);
	PicoUart *port = &gUarts[index];
	int baud = xsmcToInteger(xsArg(1));
	int transmit = xsmcToInteger(xsArg(2));
	int receive = xsmcToInteger(xsArg(3));

	if (port->open)
		xsUnknownError("serial: port in use");
	if ((kNoPin != transmit) && !builtinIsPinFree(transmit))
		xsUnknownError("serial: transmit pin in use");
	if ((kNoPin != receive) && !builtinIsPinFree(receive))
		xsUnknownError("serial: receive pin in use");

	port->uart = index ? uart1 : uart0;
	port->the = the;
	port->deliver = xsArg(4);
	xsRemember(port->deliver);
	port->transmit = (int16_t)transmit;
	port->receive = (int16_t)receive;
	port->rxHead = port->rxTail = 0;
	port->txHead = port->txTail = 0;
	port->rxOverruns = 0;
	port->posted = 0;
	port->tellReadable = 0;
	port->tellWritable = 0;
	port->wantWritable = (kNoPin != transmit);		/* ECMA-419: a new port tells its free space */

	uart_init(port->uart, baud);		/* 8N1, FIFOs on */
	if (kNoPin != transmit) {
		gpio_set_function(transmit, GPIO_FUNC_UART);
		builtinUsePin(transmit);
	}
	if (kNoPin != receive) {
		gpio_set_function(receive, GPIO_FUNC_UART);
		builtinUsePin(receive);
	}
	irq_set_exclusive_handler(index ? UART1_IRQ : UART0_IRQ, index ? uart1Handler : uart0Handler);
	port->open = 1;
	irq_set_enabled(index ? UART1_IRQ : UART0_IRQ, true);
	uartServiceNow(port);
}

/* close(port): stop the interrupts, give the pins back; a message still on its way finds the port closed. */
void xs_pico_serial_close(xsMachine *the)
{
	int index = uartIndexArg(the);
	PicoUart *port = &gUarts[index];

	if (!port->open)
		return;
	port->open = 0;
	irq_set_enabled(index ? UART1_IRQ : UART0_IRQ, false);
	uart_set_irq_enables(port->uart, false, false);
	irq_remove_handler(index ? UART1_IRQ : UART0_IRQ, index ? uart1Handler : uart0Handler);
	uart_deinit(port->uart);
	if (kNoPin != port->transmit) {
		gpio_set_function(port->transmit, GPIO_FUNC_NULL);
		builtinFreePin(port->transmit);
	}
	if (kNoPin != port->receive) {
		gpio_set_function(port->receive, GPIO_FUNC_NULL);
		builtinFreePin(port->receive);
	}
	xsForget(port->deliver);
}

/* available(port): received bytes waiting in the ring. */
void xs_pico_serial_available(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	xsmcSetInteger(xsResult, port->rxHead - port->rxTail);
}

/* room(port): bytes that write() takes now. */
void xs_pico_serial_room(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	xsmcSetInteger(xsResult, kRing - (port->txHead - port->txTail));
}

/* take(port, buffer, count): move count received bytes (JS checked count <= available) into the
   ArrayBuffer `buffer` from its start. */
void xs_pico_serial_take(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	uint8_t *bytes;
	xsUnsignedValue byteLength;
	uint32_t count = xsmcToInteger(xsArg(2)), tail = port->rxTail, i;

	xsmcGetBufferWritable(xsArg(1), (void **)&bytes, &byteLength);
	if ((count > byteLength) || (count > (port->rxHead - tail)))
		xsRangeError("serial: take beyond the buffer or the bytes received");
	__compiler_memory_barrier();
	for (i = 0; i < count; i++)
		bytes[i] = port->rx[(tail + i) & (kRing - 1)];
	__compiler_memory_barrier();
	port->rxTail = tail + count;
	uartServiceNow(port);		/* room again: receive interrupts back on, bytes left in the FIFO move */
}

/* takeByte(port): one received byte, or -1 if none. */
void xs_pico_serial_take_byte(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	uint32_t tail = port->rxTail;

	if (tail == port->rxHead) {
		xsmcSetInteger(xsResult, -1);
		return;
	}
	__compiler_memory_barrier();
	xsmcSetInteger(xsResult, port->rx[tail & (kRing - 1)]);
	port->rxTail = tail + 1;
	uartServiceNow(port);
}

/* give(port, buffer, offset, count): queue count bytes of the ArrayBuffer from offset for sending (JS
   checked count <= room); the port tells the free space again once it is sending. */
void xs_pico_serial_give(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	uint8_t *bytes;
	xsUnsignedValue byteLength;
	uint32_t offset = xsmcToInteger(xsArg(2)), count = xsmcToInteger(xsArg(3)), head = port->txHead, i;

	xsmcGetBufferReadable(xsArg(1), (void **)&bytes, &byteLength);
	if ((offset > byteLength) || (count > (byteLength - offset)) || (count > (kRing - (head - port->txTail))))
		xsRangeError("serial: give beyond the buffer or the free space");
	for (i = 0; i < count; i++)
		port->tx[(head + i) & (kRing - 1)] = bytes[offset + i];
	__compiler_memory_barrier();
	port->txHead = head + count;
	port->wantWritable = 1;
	uartServiceNow(port);
}

/* giveByte(port, byte): queue one byte (JS checked room >= 1). */
void xs_pico_serial_give_byte(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	uint32_t head = port->txHead;

	if ((head - port->txTail) >= kRing)
		xsRangeError("serial: no room");
	port->tx[head & (kRing - 1)] = (uint8_t)xsmcToInteger(xsArg(1));
	__compiler_memory_barrier();
	port->txHead = head + 1;
	port->wantWritable = 1;
	uartServiceNow(port);
}

/* discard(port): drop the bytes received and not read, and the bytes queued and not sent. */
void xs_pico_serial_discard(xsMachine *the)
{
	PicoUart *port = uartOpenArg(the);
	uint32_t status = save_and_disable_interrupts();
		port->rxTail = port->rxHead;
		port->txHead = port->txTail;
		uartService(port);
	restore_interrupts(status);
}

/* overruns(port): times bytes were lost because the ring stayed full until the hardware FIFO overflowed. */
void xs_pico_serial_overruns(xsMachine *the)
{
	PicoUart *port = uartArg(the);
	xsmcSetNumber(xsResult, (xsNumberValue)port->rxOverruns);
}
