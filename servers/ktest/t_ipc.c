/*
 * Synchronous IPC through endpoints: send/receive in both orders, call and reply, the
 * server loop, non-blocking variants, long messages, capability transfer, and what waiting
 * threads see when the endpoint or reply right goes away (kernel-api.md).
 */
#include "ktest.h"

#include <string.h>

/* What a helper saw, for the root to check after kt_settle. */
static volatile struct {
	int err;                  /* its system call's error */
	uint64_t label, badge, n; /* label and badge it received; how many messages */
	uint64_t mr[10];
	unsigned length, extra_caps, unwrapped;
} seen;

static void seen_reset(void)
{
	memset((void *)&seen, 0, sizeof(seen));
	seen.err = 1;
}

/* Records an arrived message (info word, message, badge) in `seen`. */
static void seen_record(uint64_t info, const struct mica_msg *m, uint64_t badge)
{
	seen.err = mica_msg_error(info);
	seen.label = m->label;
	seen.badge = badge;
	seen.length = m->length;
	seen.extra_caps = m->extra_caps;
	seen.unwrapped = m->caps_unwrapped;
	for (unsigned i = 0; i < MSG_REGISTERS; i++)
		seen.mr[i] = m->mr[i];
	seen.n++;
}

static void send_four_words(uint64_t ep)
{
	struct mica_msg m = kt_msg(0x42, 4, (const uint64_t[]){ 11, 22, 33, 44 });
	seen.err = mica_send(ep, &m);
}

/* A sender that finds no receiver waits; the receiver then gets label, words and badge 0. */
static void send_then_recv_delivers_message(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, send_four_words, ep));
	kt_settle();
	CHECK_EQ(seen.err, 1); /* still blocked in its send */
	struct mica_msg m;
	uint64_t badge = 99;
	CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, &badge)));
	CHECK_EQ(m.label, 0x42);
	CHECK_EQ(m.length, 4);
	CHECK_EQ(m.mr[0], 11);
	CHECK_EQ(m.mr[1], 22);
	CHECK_EQ(m.mr[2], 33);
	CHECK_EQ(m.mr[3], 44);
	CHECK_EQ(badge, 0);
	kt_settle();
	CHECK_OK(seen.err);
}

/* A receiver that waits first is woken by the send. */
static void recv_then_send_wakes_receiver(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, send_four_words, ep));
	struct mica_msg m;
	uint64_t info = mica_recv(ep, &m, NULL); /* the helper runs only now */
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(m.label, 0x42);
	CHECK_EQ(m.mr[3], 44);
	kt_settle();
	CHECK_OK(seen.err);
}

/* Serves one call: replies label 0x99 with MR0 = request MR0 + 1. */
static void serve_one(uint64_t ep)
{
	struct mica_msg m;
	uint64_t badge;
	seen_record(mica_recv(ep, &m, &badge), &m, badge);
	struct mica_msg r = kt_msg(0x99, 1, (const uint64_t[]){ m.mr[0] + 1 });
	seen.err = mica_reply(&r);
}

/* Call sends and waits; the server's reply comes back as the call's result. */
static void call_gets_reply(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t b = kt_mint(ep, RIGHTS_ALL, 0xca11);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, serve_one, ep));
	kt_settle(); /* the server waits */
	struct mica_msg m = kt_msg(0x7, 1, (const uint64_t[]){ 7 });
	uint64_t info = mica_call(b, &m);
	CHECK_OK(mica_msg_error(info));
	CHECK_EQ(m.label, 0x99);
	CHECK_EQ(m.length, 1);
	CHECK_EQ(m.mr[0], 8);
	CHECK_EQ(seen.label, 0x7);
	CHECK_EQ(seen.badge, 0xca11);
	kt_settle();
	CHECK_OK(seen.err);
}

/* A server loop: receive once, then reply_recv for good, answering MR0 + 1. */
static void server_loop(uint64_t ep)
{
	struct mica_msg m;
	uint64_t badge;
	mica_recv(ep, &m, &badge);
	for (;;) {
		seen.n++;
		m = kt_msg(0, 1, (const uint64_t[]){ m.mr[0] + 1 });
		mica_reply_recv(ep, &m, &badge);
	}
}

/* reply_recv answers the current caller and waits for the next one. */
static void reply_recv_serves_calls(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, server_loop, ep));
	kt_settle();
	const uint64_t in[3] = { 10, 20, 30 };
	for (unsigned i = 0; i < 3; i++) {
		struct mica_msg m = kt_msg(1, 1, &in[i]);
		CHECK_OK(mica_msg_error(mica_call(ep, &m)));
		CHECK_EQ(m.mr[0], in[i] + 1);
	}
	CHECK_EQ(seen.n, 3);
}

/* Serves calls for good, answering each with its ten words reversed (words 6..9 in the
 * IPC buffer). */
static void reverse_server(uint64_t ep)
{
	struct mica_msg m;
	struct ipc_buffer *buf = mica_ipc_buffer();
	mica_recv(ep, &m, NULL);
	for (;;) {
		uint64_t w[10];
		for (unsigned i = 0; i < 10; i++)
			w[i] = i < MSG_REGISTERS ? m.mr[i] : buf->msg[i];
		m = kt_msg(0x77, 10, NULL);
		for (unsigned i = 0; i < 10; i++) {
			if (i < MSG_REGISTERS)
				m.mr[i] = w[9 - i];
			else
				buf->msg[i] = w[9 - i];
		}
		seen.n++;
		mica_reply_recv(ep, &m, NULL);
	}
}

/* A ten-word call and a ten-word reply (the call/reply_recv path with IPC buffers). */
static void ten_word_call_and_reply(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, true, reverse_server, ep));
	kt_settle();
	struct ipc_buffer *mine = mica_ipc_buffer();
	for (unsigned round = 0; round < 2; round++) {
		uint64_t base = 1000 * (round + 1);
		struct mica_msg m = kt_msg(0x70, 10, NULL);
		for (unsigned i = 0; i < 10; i++) {
			if (i < MSG_REGISTERS)
				m.mr[i] = base + i;
			else
				mine->msg[i] = base + i;
		}
		CHECK_OK(mica_msg_error(mica_call(ep, &m)));
		CHECK_EQ(m.label, 0x77);
		CHECK_EQ(m.length, 10);
		for (unsigned i = 0; i < 10; i++)
			CHECK_EQ(i < MSG_REGISTERS ? m.mr[i] : mine->msg[i], base + 9 - i);
	}
	CHECK_EQ(seen.n, 2);
}

/* nbsend with nobody waiting: E_WOULDBLOCK. */
static void nbsend_without_receiver_would_block(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct mica_msg m = kt_msg(1, 1, (const uint64_t[]){ 5 });
	CHECK_ERR(mica_nbsend(ep, &m), E_WOULDBLOCK);
}

/* nbrecv with nobody sending: E_WOULDBLOCK. */
static void nbrecv_without_sender_would_block(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct mica_msg m;
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK);
}

/* nbsend delivers to a waiting receiver and returns 0. */
static void nbsend_to_waiting_receiver_delivers(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, serve_one, ep));
	kt_settle();
	struct mica_msg m = kt_msg(0x31, 1, (const uint64_t[]){ 3 });
	CHECK_OK(mica_nbsend(ep, &m));
	kt_settle();
	CHECK_EQ(seen.label, 0x31);
	CHECK_EQ(seen.mr[0], 3);
	CHECK_ERR(seen.err, E_STATE); /* a send leaves nothing to reply to */
}

static void send_ten_words(uint64_t ep)
{
	struct mica_msg m = kt_msg(0x10, 10, (const uint64_t[]){ 100, 101, 102, 103, 104, 105 });
	struct ipc_buffer *buf = mica_ipc_buffer();
	for (unsigned i = 6; i < 10; i++)
		buf->msg[i] = 100 + i;
	seen.err = mica_send(ep, &m);
}

/* A 10-word message: MR0..MR5 in registers, words 6..9 IPC buffer to IPC buffer. */
static void ten_word_message_uses_ipc_buffers(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, true, send_ten_words, ep));
	kt_settle();
	struct mica_msg m;
	CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL)));
	CHECK_EQ(m.length, 10);
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(m.mr[i], 100 + i);
	struct ipc_buffer *mine = mica_ipc_buffer();
	for (unsigned i = 6; i < 10; i++)
		CHECK_EQ(mine->msg[i], 100 + i);
	CHECK(mine != t.ipc);
}

/* Sends `arg`'s capability (low 32 bits: cptr) through ep (high 32 bits) with extra_caps 1. */
static void send_cap(uint64_t arg)
{
	cptr_t ep = arg >> 32, cap = arg & 0xffffffff;
	struct mica_msg m = kt_msg(0x6, 0, NULL);
	m.extra_caps = 1;
	mica_ipc_buffer()->caps[0] = cap;
	seen.err = mica_send(ep, &m);
}

/* Spawns send_cap and receives its message on ep with the receive slot set to `slot`. */
static uint64_t receive_cap(cptr_t ep, cptr_t via, cptr_t cap, cptr_t slot, struct mica_msg *m)
{
	struct kt_thread t;
	struct ipc_buffer *mine = mica_ipc_buffer();
	mine->receive_cnode = slot ? SLOT_INIT_CNODE : 0;
	mine->receive_index = slot;
	mine->caps[0] = 0;
	if (kt_spawn(&t, 100, true, send_cap, (uint64_t)via << 32 | cap))
		return 0;
	kt_settle();
	return mica_nbrecv(ep, m, NULL);
}

/* With the GRANT right a capability travels: it lands in the receive slot and works. */
static void grant_transfers_capability(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(n, RIGHTS_ALL, 0x8);
	cptr_t slot = kt_slot();
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, nb, slot, &m)));
	CHECK_EQ(m.label, 0x6);
	CHECK_EQ(m.extra_caps, 1);
	CHECK_EQ(m.caps_unwrapped, 0);
	struct mica_cap_info i = kt_identify(slot);
	CHECK_EQ(i.type, CAP_NOTIFICATION);
	CHECK_EQ(i.badge, 0x8);
	CHECK_EQ(i.paddr, kt_identify(n).paddr);
	CHECK_OK(kt_signal(slot));
	int err;
	CHECK_EQ(kt_poll(n, &err), 0x8);
}

/* The transferred capability is derived from the sender's: revoking that removes it. */
static void transferred_capability_is_child_of_sender_cap(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t nb = kt_mint(n, RIGHTS_ALL, 0x8);
	cptr_t slot = kt_slot();
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, nb, slot, &m)));
	CHECK_OK(mica_cnode_revoke(SLOT_INIT_CNODE, nb));
	CHECK_EQ(kt_identify(slot).type, CAP_NULL);
}

/* Without a receive slot the message arrives, its capability does not (extra_caps 0). */
static void transfer_without_receive_slot_drops_cap(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, n, 0, &m)));
	CHECK_EQ(m.label, 0x6);
	CHECK_EQ(m.extra_caps, 0);
}

/*
 * A frame capability received in a message is a copy, which starts unmapped: deleting it
 * leaves the sender's mapping (here the root's boot-info page) alone. Should the mapping
 * be gone, it is put back before anything reads the page, so the other tests still run.
 */
static void transferred_frame_starts_unmapped(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t slot = kt_slot();
	uint64_t page = (uint64_t)kt_bootinfo;
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, SLOT_BOOTINFO, slot, &m)));
	CHECK_EQ(m.extra_caps, 1);
	struct mica_frame_info fi = { 0 };
	CHECK_OK(mica_frame_get_address(slot, &fi));
	CHECK_EQ(fi.mapped_asid, 0);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, slot));
	bool mapped = kt_root_maps(page);
	if (!mapped) {
		mica_frame_unmap(SLOT_BOOTINFO);
		mica_frame_map(SLOT_BOOTINFO, SLOT_INIT_VSPACE, page, RIGHT_READ);
	}
	CHECK(mapped);
	CHECK(kt_root_maps(page));
}

/* Untyped capabilities are never transferred: the message arrives without it. */
static void untyped_cap_is_not_transferred(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t ut = kt_new(OBJ_UNTYPED, 12);
	cptr_t slot = kt_slot();
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, ut, slot, &m)));
	CHECK_EQ(m.label, 0x6);
	CHECK_EQ(m.extra_caps, 0);
	CHECK_EQ(kt_identify(slot).type, CAP_NULL);
}

/* An occupied receive slot is left alone: the message arrives without the capability. */
static void transfer_into_occupied_slot_drops_cap(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	cptr_t occupied = kt_new(OBJ_ENDPOINT, 0);
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, n, occupied, &m)));
	CHECK_EQ(m.extra_caps, 0);
	CHECK_EQ(kt_identify(occupied).type, CAP_ENDPOINT);
}

static void recv_count(uint64_t ep)
{
	for (;;) {
		struct mica_msg m;
		uint64_t badge;
		seen_record(mica_recv(ep, &m, &badge), &m, badge);
	}
}

/* Sending a capability through an endpoint capability without GRANT fails with E_RIGHTS
 * and delivers nothing: the waiting receiver still gets the next message, and only that. */
static void send_cap_without_grant_is_rights_error(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t no_grant = kt_copy(ep, RIGHT_READ | RIGHT_WRITE);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, true, recv_count, ep));
	t.ipc->receive_cnode = SLOT_INIT_CNODE;
	t.ipc->receive_index = kt_slot();
	kt_settle();
	struct mica_msg m = kt_msg(0x4, 0, NULL);
	m.extra_caps = 1;
	mica_ipc_buffer()->caps[0] = n;
	CHECK_ERR(mica_send(no_grant, &m), E_RIGHTS);
	kt_settle();
	CHECK_EQ(seen.n, 0);
	m = kt_msg(0x5, 0, NULL);
	CHECK_OK(mica_nbsend(no_grant, &m)); /* the receiver was still waiting */
	kt_settle();
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(seen.label, 0x5);
	CHECK_EQ(seen.extra_caps, 0);
	CHECK_EQ(kt_identify(t.ipc->receive_index).type, CAP_NULL);
}

/* A capability to the endpoint the message travels through is unwrapped: only its badge
 * arrives (caps[0], caps_unwrapped bit 0), the receive slot stays empty. */
static void send_own_endpoint_unwraps_badge(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t eb = kt_mint(ep, RIGHTS_ALL, 0x44);
	cptr_t slot = kt_slot();
	struct mica_msg m;
	seen_reset();
	CHECK_OK(mica_msg_error(receive_cap(ep, ep, eb, slot, &m)));
	CHECK_EQ(m.extra_caps, 1);
	CHECK_EQ(m.caps_unwrapped, 1);
	CHECK_EQ(mica_ipc_buffer()->caps[0], 0x44);
	CHECK_EQ(kt_identify(slot).type, CAP_NULL);
}

static void call_and_record(uint64_t ep)
{
	struct mica_msg m = kt_msg(0x3, 1, (const uint64_t[]){ 1 });
	uint64_t info = mica_call(ep, &m);
	seen_record(info, &m, 0);
}

static void recv_and_record(uint64_t ep)
{
	struct mica_msg m;
	uint64_t badge = 0;
	uint64_t info = mica_recv(ep, &m, &badge);
	seen_record(info, &m, badge);
}

/* A caller queued on an endpoint that is deleted wakes with E_DELETED. */
static void caller_on_deleted_endpoint_gets_deleted(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, call_and_record, ep));
	kt_settle();
	CHECK_EQ(seen.n, 0);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, ep));
	kt_settle();
	CHECK_EQ(seen.n, 1);
	CHECK_ERR(seen.err, E_DELETED);
}

/* A receiver waiting on an endpoint that is deleted wakes with E_DELETED. */
static void receiver_on_deleted_endpoint_gets_deleted(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, recv_and_record, ep));
	kt_settle();
	CHECK_EQ(seen.n, 0);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, ep));
	kt_settle();
	CHECK_EQ(seen.n, 1);
	CHECK_ERR(seen.err, E_DELETED);
}

/* Deleting one of two capabilities to the endpoint is not its end: the waiter keeps waiting. */
static void deleting_a_copy_keeps_waiters(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t c = kt_copy(ep, RIGHTS_ALL);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, recv_and_record, ep));
	kt_settle();
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, c));
	kt_settle();
	CHECK_EQ(seen.n, 0);
	struct mica_msg m = kt_msg(0x21, 0, NULL);
	CHECK_OK(mica_nbsend(ep, &m));
	kt_settle();
	CHECK_EQ(seen.label, 0x21);
}

/* Receives a call from a helper and moves its reply right into a fresh slot. */
static cptr_t take_call(cptr_t ep)
{
	struct kt_thread t;
	if (kt_spawn(&t, 100, false, call_and_record, ep))
		return 0;
	kt_settle();
	struct mica_msg m;
	if (!CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL))))
		return 0;
	cptr_t slot = kt_slot();
	if (!CHECK_OK(mica_cnode_save_caller(SLOT_INIT_CNODE, slot)))
		return 0;
	CHECK_EQ(kt_identify(slot).type, CAP_REPLY);
	return slot;
}

/* A saved reply right answers the caller later, with SYS_SEND on its slot. */
static void saved_reply_cap_replies_later(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	seen_reset();
	cptr_t reply = take_call(ep);
	REQUIRE(reply != 0);
	struct mica_msg r = kt_msg(0x55, 1, (const uint64_t[]){ 9 });
	CHECK_OK(mica_send(reply, &r));
	CHECK_EQ(kt_identify(reply).type, CAP_NULL); /* one-shot */
	kt_settle();
	CHECK_OK(seen.err);
	CHECK_EQ(seen.label, 0x55);
	CHECK_EQ(seen.mr[0], 9);
}

/* Deleting an unused reply right wakes its caller with E_DELETED. */
static void deleted_reply_cap_wakes_caller_with_deleted(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	seen_reset();
	cptr_t reply = take_call(ep);
	REQUIRE(reply != 0);
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, reply));
	kt_settle();
	CHECK_EQ(seen.n, 1);
	CHECK_ERR(seen.err, E_DELETED);
}

/* Receiving again without replying drops the reply right: that caller gets E_DELETED. */
static void recv_again_without_reply_drops_caller(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread t;
	seen_reset();
	REQUIRE_OK(kt_spawn(&t, 100, false, call_and_record, ep));
	kt_settle();
	struct mica_msg m;
	CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL)));
	CHECK_ERR(mica_msg_error(mica_nbrecv(ep, &m, NULL)), E_WOULDBLOCK);
	kt_settle();
	CHECK_EQ(seen.n, 1);
	CHECK_ERR(seen.err, E_DELETED);
}

/* Receives one call, then waits on a notification, keeping the reply right. */
static void recv_then_wait(uint64_t arg)
{
	cptr_t ep = arg >> 32, n = arg & 0xffffffff;
	struct mica_msg m;
	int err;
	mica_recv(ep, &m, NULL);
	kt_wait(n, &err);
}

/* A server deleted while it holds a caller's reply right wakes that caller with E_DELETED. */
static void server_deleted_wakes_caller_with_deleted(void)
{
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	cptr_t n = kt_new(OBJ_NOTIFICATION, 0);
	struct kt_thread server, caller;
	seen_reset();
	REQUIRE_OK(kt_spawn(&server, 110, false, recv_then_wait, (uint64_t)ep << 32 | n));
	REQUIRE_OK(kt_spawn(&caller, 100, false, call_and_record, ep));
	kt_settle();
	CHECK_EQ(seen.n, 0); /* the server holds its reply right */
	CHECK_OK(mica_cnode_delete(SLOT_INIT_CNODE, server.tcb));
	kt_settle();
	CHECK_EQ(seen.n, 1);
	CHECK_ERR(seen.err, E_DELETED);
}

static const struct ktest tests[] = {
	{ "ipc_send_then_recv_delivers_message", send_then_recv_delivers_message },
	{ "ipc_recv_then_send_wakes_receiver", recv_then_send_wakes_receiver },
	{ "ipc_call_gets_reply", call_gets_reply },
	{ "ipc_reply_recv_serves_calls", reply_recv_serves_calls },
	{ "ipc_nbsend_without_receiver_would_block", nbsend_without_receiver_would_block },
	{ "ipc_nbrecv_without_sender_would_block", nbrecv_without_sender_would_block },
	{ "ipc_nbsend_to_waiting_receiver_delivers", nbsend_to_waiting_receiver_delivers },
	{ "ipc_ten_word_message_uses_ipc_buffers", ten_word_message_uses_ipc_buffers },
	{ "ipc_ten_word_call_and_reply", ten_word_call_and_reply },
	{ "ipc_grant_transfers_capability", grant_transfers_capability },
	{ "ipc_transferred_capability_is_child_of_sender_cap",
	  transferred_capability_is_child_of_sender_cap },
	{ "ipc_transfer_without_receive_slot_drops_cap", transfer_without_receive_slot_drops_cap },
	{ "ipc_transferred_frame_starts_unmapped", transferred_frame_starts_unmapped },
	{ "ipc_untyped_cap_is_not_transferred", untyped_cap_is_not_transferred },
	{ "ipc_transfer_into_occupied_slot_drops_cap", transfer_into_occupied_slot_drops_cap },
	{ "ipc_send_cap_without_grant_is_rights_error", send_cap_without_grant_is_rights_error },
	{ "ipc_send_own_endpoint_unwraps_badge", send_own_endpoint_unwraps_badge },
	{ "ipc_caller_on_deleted_endpoint_gets_deleted", caller_on_deleted_endpoint_gets_deleted },
	{ "ipc_receiver_on_deleted_endpoint_gets_deleted",
	  receiver_on_deleted_endpoint_gets_deleted },
	{ "ipc_deleting_a_copy_keeps_waiters", deleting_a_copy_keeps_waiters },
	{ "ipc_saved_reply_cap_replies_later", saved_reply_cap_replies_later },
	{ "ipc_deleted_reply_cap_wakes_caller_with_deleted",
	  deleted_reply_cap_wakes_caller_with_deleted },
	{ "ipc_recv_again_without_reply_drops_caller", recv_again_without_reply_drops_caller },
	{ "ipc_server_deleted_wakes_caller_with_deleted",
	  server_deleted_wakes_caller_with_deleted },
};

const struct ktest_suite kt_suite_ipc = KT_SUITE(tests);
