/*
 * Notifications (signal, wait, poll, badges, binding) and interrupt delivery through them
 * (IRQ control and handler capabilities, SYS_DEBUG_IRQ_RAISE).
 */
#include "ktest.h"

#define TEST_SPI     40 /* unused: virt SPI 8 (33 is the UART); raspi3b GPU interrupt 8 */
#define OTHER_SPI    41
#define IRQ_BITS     0x80
#define POLL_TRIES   1000
#define MASKED_TRIES 20

/* A signal stored before the wait: the wait returns the badge bits at once and clears them. */
static void signal_then_wait_returns_badge(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(n, RIGHTS_ALL, 0x2);
	CHECK_OK(kt_signal(nb));
	struct mica_msg m;
	uint64_t bits = 0;
	uint64_t info = mica_recv(n, &m, &bits);
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(bits, 0x2);
	CHECK_EQ(m.label, MSG_LABEL_NOTIFY);
	int err;
	CHECK_EQ(kt_poll(n, &err), 0);
}

static volatile int signal_err;

static void signal_once(uint64_t ntfn)
{
	signal_err = kt_signal(ntfn);
}

/* A wait with nothing signalled blocks until a signal comes. */
static void wait_blocks_until_signal(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(n, RIGHTS_ALL, 0x4);
	struct kt_thread t;
	signal_err = 1;
	REQUIRE_OK(kt_spawn(&t, 100, false, signal_once, nb));
	int err;
	CHECK_EQ(kt_wait(n, &err), 0x4); /* the helper runs only now */
	CHECK_OK(err);
	kt_settle(); /* the woken root preempted it: let it record its result */
	CHECK_OK(signal_err);
}

/* Poll (nbrecv) returns the current bits, 0 if none, and clears them. */
static void poll_returns_bits_or_zero(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(n, RIGHTS_ALL, 0x10);
	int err;
	CHECK_EQ(kt_poll(n, &err), 0);
	CHECK_OK(err);
	CHECK_OK(kt_signal(nb));
	CHECK_EQ(kt_poll(n, &err), 0x10);
	CHECK_OK(err);
	CHECK_EQ(kt_poll(n, &err), 0);
}

/* Signals through differently badged capabilities OR their bits together. */
static void badges_or_together(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	CHECK_OK(kt_signal(kt_mint(n, RIGHTS_ALL, 0x1)));
	CHECK_OK(kt_signal(kt_mint(n, RIGHTS_ALL, 0x4)));
	CHECK_OK(kt_signal(kt_mint(n, RIGHTS_ALL, 0x100)));
	CHECK_OK(kt_signal(kt_mint(n, RIGHTS_ALL, 0x4)));
	int err;
	CHECK_EQ(kt_poll(n, &err), 0x105);
}

/* Signalling needs WRITE, waiting READ. */
static void signal_needs_write_wait_needs_read(void)
{
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t ro = kt_mint(n, RIGHT_READ, 0x1);
	cptr_t wo = kt_mint(n, RIGHT_WRITE, 0x1);
	int err;
	CHECK_ERR(kt_signal(ro), E_RIGHTS);
	kt_poll(wo, &err);
	CHECK_ERR(err, E_RIGHTS);
}

static volatile struct {
	int err;
	uint64_t label, bits;
	unsigned n;
} woken;

static void recv_on_endpoint(uint64_t ep)
{
	struct mica_msg m;
	uint64_t bits = 0;
	uint64_t info = mica_recv(ep, &m, &bits);
	woken.err = mica_msg_error(info);
	woken.label = m.label;
	woken.bits = bits;
	woken.n++;
}

/* A signal to a thread's bound notification wakes it from an endpoint receive. */
static void bound_notification_wakes_endpoint_receiver(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(n, RIGHTS_ALL, 0x20);
	struct kt_thread t;
	struct kt_thread_opts o = { .prio = 100 };
	woken.n = 0;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(mica_tcb_bind_notification(t.tcb, n));
	REQUIRE_OK(kt_thread_start(&t, recv_on_endpoint, ep));
	kt_settle();
	CHECK_EQ(woken.n, 0); /* waiting on ep */
	CHECK_OK(kt_signal(nb));
	kt_settle();
	CHECK_EQ(woken.n, 1);
	CHECK_OK(woken.err);
	CHECK_EQ(woken.label, MSG_LABEL_NOTIFY);
	CHECK_EQ(woken.bits, 0x20);
	struct mica_msg m = kt_msg(1, 0, NULL);
	CHECK_ERR(mica_nbsend(ep, &m), E_WOULDBLOCK); /* it left the endpoint's queue */
}

/* A signal pending on the bound notification is what the next endpoint receive returns. */
static void bound_pending_signal_returned_by_recv(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	REQUIRE_OK(mica_tcb_bind_notification(SLOT_INIT_TCB, n));
	CHECK_OK(kt_signal(kt_mint(n, RIGHTS_ALL, 0x300)));
	struct mica_msg m;
	uint64_t bits = 0;
	uint64_t info = mica_recv(ep, &m, &bits);
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(m.label, MSG_LABEL_NOTIFY);
	CHECK_EQ(bits, 0x300);
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, &bits)), E_WOULDBLOCK); /* consumed */
	CHECK_OK(mica_tcb_unbind_notification(SLOT_INIT_TCB));
}

/* Polls `n` until bits arrive (an interrupt is taken on the way back to user mode). */
static uint64_t poll_for_bits(cptr_t n, unsigned tries)
{
	int err;
	for (unsigned i = 0; i < tries; i++) {
		uint64_t bits = kt_poll(n, &err);
		if (bits)
			return bits;
		mica_yield();
	}
	return 0;
}

/* Claims `intid` (edge-triggered) into a fresh slot and makes it signal IRQ_BITS on a new
 * notification (*ntfn). Returns the handler slot, 0 on failure. */
static cptr_t claim_irq(unsigned intid, cptr_t *ntfn)
{
	cptr_t h = kt_slot();
	*ntfn = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(*ntfn, RIGHTS_ALL, IRQ_BITS);
	if (!CHECK_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, intid, SLOT_INIT_CNODE, h, 1)) ||
	    !CHECK_OK(mica_irq_handler_set_notification(h, nb)))
		return 0;
	return h;
}

/* A raised SPI signals the handler's notification with its badge. */
static void irq_spi_signals_notification(void)
{
	cptr_t n;
	cptr_t h = claim_irq(TEST_SPI, &n);
	REQUIRE(h != 0);
	struct mica_cap_info i = kt_identify(h);
	CHECK_EQ(i.type, CAP_IRQ_HANDLER);
	CHECK_EQ(i.paddr, TEST_SPI);
	mica_debug_irq_raise(TEST_SPI);
	CHECK_EQ(poll_for_bits(n, POLL_TRIES), IRQ_BITS);
}

/* Delivery masks the interrupt: raised again it stays pending until IRQ_HANDLER_ACK. */
static void irq_raise_before_ack_waits_for_ack(void)
{
	cptr_t n;
	cptr_t h = claim_irq(TEST_SPI, &n);
	REQUIRE(h != 0);
	mica_debug_irq_raise(TEST_SPI);
	REQUIRE(poll_for_bits(n, POLL_TRIES) == IRQ_BITS);
	mica_debug_irq_raise(TEST_SPI);
	CHECK_EQ(poll_for_bits(n, MASKED_TRIES), 0);
	CHECK_OK(mica_irq_handler_ack(h));
	CHECK_EQ(poll_for_bits(n, POLL_TRIES), IRQ_BITS);
}

/* After an ack the next raise is delivered again. */
static void irq_ack_then_raise_delivers_again(void)
{
	cptr_t n;
	cptr_t h = claim_irq(TEST_SPI, &n);
	REQUIRE(h != 0);
	mica_debug_irq_raise(TEST_SPI);
	REQUIRE(poll_for_bits(n, POLL_TRIES) == IRQ_BITS);
	CHECK_OK(mica_irq_handler_ack(h));
	mica_debug_irq_raise(TEST_SPI);
	CHECK_EQ(poll_for_bits(n, POLL_TRIES), IRQ_BITS);
}

/* An interrupt wakes a thread blocked on the notification. */
static void irq_wakes_waiting_thread(void)
{
	cptr_t n;
	REQUIRE(claim_irq(TEST_SPI, &n) != 0);
	struct kt_thread t;
	woken.n = 0;
	REQUIRE_OK(kt_spawn(&t, 100, false, recv_on_endpoint, n));
	kt_settle();
	CHECK_EQ(woken.n, 0);
	mica_debug_irq_raise(TEST_SPI);
	kt_settle();
	CHECK_EQ(woken.n, 1);
	CHECK_EQ(woken.bits, IRQ_BITS);
	CHECK_EQ(woken.label, MSG_LABEL_NOTIFY);
}

/* Deleting the notification unbinds it from the interrupt: ACK then finds none (E_STATE). */
static void irq_deleted_notification_unbinds(void)
{
	cptr_t h = kt_slot();
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	CHECK_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, TEST_SPI, SLOT_INIT_CNODE, h, 1));
	CHECK_OK(mica_irq_handler_set_notification(h, n));
	CHECK_OK(mica_irq_handler_ack(h));
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, n));
	CHECK_ERR(mica_irq_handler_ack(h), E_STATE);
}

/* IRQ_HANDLER_CLEAR stops delivery: a raise signals nothing, and ACK is E_STATE. */
static void irq_handler_clear_stops_delivery(void)
{
	cptr_t n;
	cptr_t h = claim_irq(TEST_SPI, &n);
	REQUIRE(h != 0);
	CHECK_OK(mica_irq_handler_clear(h));
	mica_debug_irq_raise(TEST_SPI);
	CHECK_EQ(poll_for_bits(n, MASKED_TRIES), 0);
	CHECK_ERR(mica_irq_handler_ack(h), E_STATE);
}

/* A second IRQ_CONTROL_GET of a claimed INTID is E_BUSY. */
static void irq_control_get_claimed_is_busy(void)
{
	cptr_t h = kt_slot(), h2 = kt_slot();
	CHECK_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, TEST_SPI, SLOT_INIT_CNODE, h, 1));
	CHECK_ERR(mica_irq_control_get(SLOT_IRQ_CONTROL, TEST_SPI, SLOT_INIT_CNODE, h2, 1), E_BUSY);
	CHECK_EQ(kt_identify(h2).type, CAP_NULL);
}

/* Only SPIs can be claimed: a PPI (27, the virtual timer) is E_RANGE, as is 1020. */
static void irq_control_get_non_spi_is_range(void)
{
	cptr_t h = kt_slot();
	CHECK_ERR(mica_irq_control_get(SLOT_IRQ_CONTROL, 27, SLOT_INIT_CNODE, h, 1), E_RANGE);
	CHECK_ERR(mica_irq_control_get(SLOT_IRQ_CONTROL, 1020, SLOT_INIT_CNODE, h, 1), E_RANGE);
	CHECK_EQ(kt_identify(h).type, CAP_NULL);
}

/* Deleting the handler capability frees the INTID for another IRQ_CONTROL_GET. */
static void irq_handler_delete_frees_intid(void)
{
	cptr_t h = kt_slot(), h2 = kt_slot();
	CHECK_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, OTHER_SPI, SLOT_INIT_CNODE, h, 0));
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, h));
	CHECK_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, OTHER_SPI, SLOT_INIT_CNODE, h2, 0));
}

/* ACK on a handler without a notification is E_STATE. */
static void irq_ack_without_notification_is_state(void)
{
	cptr_t h = kt_slot();
	CHECK_OK(mica_irq_control_get(SLOT_IRQ_CONTROL, TEST_SPI, SLOT_INIT_CNODE, h, 1));
	CHECK_ERR(mica_irq_handler_ack(h), E_STATE);
}

static const struct ktest tests[] = {
	{ "ntfn_signal_then_wait_returns_badge", signal_then_wait_returns_badge },
	{ "ntfn_wait_blocks_until_signal", wait_blocks_until_signal },
	{ "ntfn_poll_returns_bits_or_zero", poll_returns_bits_or_zero },
	{ "ntfn_badges_or_together", badges_or_together },
	{ "ntfn_signal_needs_write_wait_needs_read", signal_needs_write_wait_needs_read },
	{ "ntfn_bound_notification_wakes_endpoint_receiver",
	  bound_notification_wakes_endpoint_receiver },
	{ "ntfn_bound_pending_signal_returned_by_recv", bound_pending_signal_returned_by_recv },
	{ "irq_spi_signals_notification", irq_spi_signals_notification },
	{ "irq_raise_before_ack_waits_for_ack", irq_raise_before_ack_waits_for_ack },
	{ "irq_ack_then_raise_delivers_again", irq_ack_then_raise_delivers_again },
	{ "irq_wakes_waiting_thread", irq_wakes_waiting_thread },
	{ "irq_deleted_notification_unbinds", irq_deleted_notification_unbinds },
	{ "irq_handler_clear_stops_delivery", irq_handler_clear_stops_delivery },
	{ "irq_control_get_claimed_is_busy", irq_control_get_claimed_is_busy },
	{ "irq_control_get_non_spi_is_range", irq_control_get_non_spi_is_range },
	{ "irq_handler_delete_frees_intid", irq_handler_delete_frees_intid },
	{ "irq_ack_without_notification_is_state", irq_ack_without_notification_is_state },
};

const struct ktest_suite kt_suite_ntfn_irq = KT_SUITE(tests);
