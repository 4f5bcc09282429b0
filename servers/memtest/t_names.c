/*
 * Tests of objects a process makes in its own CSpace (MEMSRV_OBJ_*) and of the name service
 * (MEMSRV_NAME_*). The server side is nstest (servers/nstest), spawned above memtest's
 * priority, so it has published its name and waits in receive (or has ended) by the time
 * memtest runs again. Every refused request is checked to change nothing (MEMSRV_OBJ_INFO).
 */
#include <string.h>

#include "../nstest/nstest.h"
#include "memtest.h"

#define NSTEST_PRIO 110

/* The object and name counts are what they were. */
static int same_info(const struct mem_obj_info *before)
{
	struct mem_obj_info now;
	CHECK_OK(mem_obj_info(ms, &now));
	CHECK_EQ(now.objects, before->objects);
	CHECK_EQ(now.names, before->names);
	CHECK_EQ(now.all_objects, before->all_objects);
	CHECK_EQ(now.all_names, before->all_names);
	return 0;
}

/* A send on `slot` with nobody receiving: E_WOULDBLOCK for an endpoint, else the error. */
static int try_send(unsigned slot)
{
	struct mica_msg msg = { .label = 1, .length = 0 };
	return mica_nbsend(slot, &msg);
}

/* Calls `slot` with `word`; *badge and *answer get the reply's MR0 and MR1. */
static int call_server(unsigned slot, uint64_t word, uint64_t *badge, uint64_t *answer)
{
	struct mica_msg msg = { .label = 1, .length = 1, .mr = { word } };
	int err = mica_msg_error(mica_call(slot, &msg));
	if (!err) {
		*badge = msg.mr[0];
		*answer = msg.mr[1];
	}
	return err;
}

static int spawn_nstest(unsigned mode, unsigned *pid)
{
	return mem_spawn(ms, "nstest", NSTEST_PRIO, mode, BESIDE_MEMSRV, 0, pid);
}

int test_obj_create_gives_working_objects(void)
{
	struct mem_obj_info before, mid;
	unsigned ep, nt;
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_EQ(before.quota, MEMSRV_OBJ_QUOTA);
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep));
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_NOTIFICATION, 0, 4, &nt));
	CHECK(ep >= MEMSRV_SLOT_USER && ep < MEMSRV_CNODE_SLOTS && nt != ep);
	CHECK_OK(mem_obj_info(ms, &mid));
	CHECK_EQ(mid.objects, before.objects + 2);
	CHECK_EQ(mid.all_objects, before.all_objects + 2);
	CHECK_ERR(try_send(ep), E_WOULDBLOCK); /* an endpoint with nobody receiving */
	struct mica_msg msg = { 0 };
	uint64_t bits = 0;
	CHECK_OK(mica_send(nt, &msg)); /* a notification: the signal is pending */
	CHECK_EQ(mica_msg_error(mica_nbrecv(nt, &msg, &bits)), 0);
	CHECK_EQ(bits, 4); /* the badge it was made with */
	CHECK_OK(mem_obj_delete(ms, ep));
	CHECK_OK(mem_obj_delete(ms, nt));
	CHECK_ERR(try_send(ep), E_NOCAP); /* gone from the slot */
	return same_info(&before);
}

int test_obj_create_in_chosen_slot(void)
{
	struct mem_obj_info before;
	unsigned slot;
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 40, 0, &slot));
	CHECK_EQ(slot, 40);
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 40, 0, &slot), E_DELETE_FIRST);
	CHECK_OK(mem_obj_delete(ms, 40));
	CHECK_ERR(mem_obj_delete(ms, 40), E_INVAL); /* nothing there any more */
	return same_info(&before);
}

int test_obj_malformed_requests_change_nothing(void)
{
	struct mem_obj_info before;
	uint64_t a[4] = { MEMSRV_OBJ_ENDPOINT, 0, 0, 0 };
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_ERR(mem_obj_create(ms, 0, 0, 0, NULL), E_INVAL);
	CHECK_ERR(mem_obj_create(ms, 3, 0, 1, NULL), E_INVAL);
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, MEMSRV_SLOT_USER - 1, 0, NULL), E_RANGE);
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, MEMSRV_CNODE_SLOTS, 0, NULL), E_RANGE);
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 1, 0, NULL), E_RANGE); /* memsrv's cap */
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 1, NULL), E_INVAL); /* badged */
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_NOTIFICATION, 0, 0, NULL), E_INVAL); /* no bits */
	CHECK_ERR(mem_request(ms, MEMSRV_OBJ_CREATE, a, 2, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_OBJ_CREATE, a, 4, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_OBJ_DELETE, a, 0, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_request(ms, MEMSRV_OBJ_INFO, a, 1, NULL, 0, NULL), E_MSGSIZE);
	CHECK_ERR(mem_obj_delete(ms, 1), E_RANGE);
	CHECK_ERR(mem_obj_delete(ms, MEMSRV_CNODE_SLOTS), E_RANGE);
	CHECK_ERR(mem_obj_delete(ms, MEMSRV_SLOT_USER), E_INVAL); /* no object there */
	return same_info(&before);
}

int test_obj_quota_exhaustion_is_an_error(void)
{
	struct mem_obj_info before;
	unsigned slots[MEMSRV_OBJ_QUOTA], n = 0, pid;
	int err;
	CHECK_OK(mem_obj_info(ms, &before));
	while (n < MEMSRV_OBJ_QUOTA &&
	       (err = mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &slots[n])) == E_OK)
		n++;
	CHECK_EQ(n + before.objects, MEMSRV_OBJ_QUOTA);
	CHECK_ERR(mem_obj_create(ms, MEMSRV_OBJ_NOTIFICATION, 0, 4, NULL), E_NOMEM);
	for (unsigned i = 0; i < n; i++)
		CHECK_OK(mem_obj_delete(ms, slots[i]));
	CHECK_OK(same_info(&before));
	/* Another process's quota is its own, and its objects go when it ends. */
	CHECK_OK(spawn_nstest(NSTEST_QUOTA, &pid));
	uint64_t w = ps_state(pid);
	CHECK_EQ(MEMSRV_PS_STATE(w), MEMSRV_PS_EXITED);
	CHECK_EQ(MEMSRV_PS_EXIT_CODE(w), MEMSRV_OBJ_QUOTA);
	return same_info(&before);
}

int test_name_lookup_gives_badged_endpoint(void)
{
	struct mem_obj_info before, mid;
	unsigned pid, slot, publisher;
	uint64_t badge = 0, answer = 0;
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_OK(spawn_nstest(NSTEST_SERVE, &pid));
	CHECK_OK(mem_name_lookup(ms, NSTEST_NAME, 0, &slot, &publisher));
	CHECK_EQ(publisher, pid);
	CHECK_OK(call_server(slot, 41, &badge, &answer));
	CHECK_EQ(badge, MEMSRV_NAME_BADGE(self_id())); /* the server sees who calls */
	CHECK_EQ(answer, 42);
	CHECK_OK(mem_obj_info(ms, &mid));
	CHECK_EQ(mid.all_names, before.all_names + 1);
	CHECK_EQ(mid.all_objects, before.all_objects + 1);
	CHECK_ERR(mem_name_withdraw(ms, NSTEST_NAME), E_RIGHTS); /* not the publisher */
	CHECK_OK(mem_kill(ms, pid));
	/* Its name, its endpoint and the copy memtest got are gone. */
	CHECK_ERR(mem_name_lookup(ms, NSTEST_NAME, 0, &slot, &publisher), E_NOTMAPPED);
	CHECK_ERR(call_server(slot, 1, &badge, &answer), E_NOCAP);
	return same_info(&before);
}

int test_name_of_exited_publisher_is_gone(void)
{
	struct mem_obj_info before;
	unsigned pid;
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_OK(spawn_nstest(NSTEST_PUBLISH_EXIT, &pid));
	uint64_t w = ps_state(pid);
	CHECK_EQ(MEMSRV_PS_STATE(w), MEMSRV_PS_EXITED);
	CHECK_EQ(MEMSRV_PS_EXIT_CODE(w), NSTEST_EXIT_CODE);
	CHECK_ERR(mem_name_lookup(ms, NSTEST_NAME, 0, NULL, NULL), E_NOTMAPPED);
	return same_info(&before);
}

int test_server_ending_while_client_waits(void)
{
	struct mem_obj_info before;
	unsigned pid, slot;
	uint64_t badge, answer;
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_OK(spawn_nstest(NSTEST_DIE_ON_CALL, &pid));
	CHECK_OK(mem_name_lookup(ms, NSTEST_NAME, 0, &slot, NULL));
	/* nstest takes the call and exits without answering: the call fails, nothing hangs. */
	CHECK_ERR(call_server(slot, 1, &badge, &answer), E_DELETED);
	CHECK_EQ(MEMSRV_PS_STATE(ps_state(pid)), MEMSRV_PS_EXITED);
	CHECK_ERR(try_send(slot), E_NOCAP);
	return same_info(&before);
}

int test_withdraw_keeps_copies_handed_out(void)
{
	struct mem_obj_info before;
	unsigned ep, copy;
	CHECK_OK(mem_obj_info(ms, &before));
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep));
	CHECK_OK(mem_name_publish(ms, ep, "memtest.self"));
	CHECK_OK(mem_name_lookup(ms, "memtest.self", 0, &copy, NULL));
	CHECK_OK(mem_name_withdraw(ms, "memtest.self"));
	CHECK_ERR(mem_name_lookup(ms, "memtest.self", 0, NULL, NULL), E_NOTMAPPED);
	CHECK_ERR(try_send(copy), E_WOULDBLOCK); /* the copy handed out still works */
	CHECK_OK(mem_obj_delete(ms, ep));
	CHECK_ERR(try_send(copy), E_NOCAP); /* deleting the endpoint ends every copy */
	return same_info(&before);
}

/* Publish, lookup and withdraw with a name of `n` raw bytes `bytes` (malformed forms). */
static int raw_name(uint64_t label, uint64_t slot, const char *bytes, size_t n)
{
	uint64_t a[1 + MEMSRV_NAME_WORDS] = { slot };
	unsigned first = label == MEMSRV_NAME_WITHDRAW ? 0 : 1;
	memcpy(&a[first], bytes, n);
	return mem_request(ms, label, a, first + MEMSRV_NAME_WORDS, NULL, 0, NULL);
}

int test_name_malformed_requests_change_nothing(void)
{
	static const uint64_t labels[] = { MEMSRV_NAME_PUBLISH, MEMSRV_NAME_LOOKUP,
					   MEMSRV_NAME_WITHDRAW };
	char full[MEMSRV_NAME_BYTES];
	struct mem_obj_info before;
	unsigned ep, nt;
	memset(full, 'x', sizeof(full));
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep));
	CHECK_OK(mem_obj_create(ms, MEMSRV_OBJ_NOTIFICATION, 0, 4, &nt));
	CHECK_OK(mem_obj_info(ms, &before));
	for (unsigned i = 0; i < 3; i++) {
		uint64_t a[1 + MEMSRV_NAME_WORDS] = { ep };
		CHECK_ERR(raw_name(labels[i], ep, "", 1), E_INVAL);
		CHECK_ERR(raw_name(labels[i], ep, "a b", 4), E_INVAL);
		CHECK_ERR(raw_name(labels[i], ep, "a/b", 4), E_INVAL);
		CHECK_ERR(raw_name(labels[i], ep, full, sizeof(full)), E_INVAL); /* no NUL */
		unsigned words = labels[i] == MEMSRV_NAME_WITHDRAW ? MEMSRV_NAME_WORDS : 5;
		CHECK_ERR(mem_request(ms, labels[i], a, words - 1, NULL, 0, NULL), E_MSGSIZE);
		CHECK_ERR(mem_request(ms, labels[i], a, words + 1, NULL, 0, NULL), E_MSGSIZE);
	}
	CHECK_ERR(mem_name_publish(ms, nt, "ntfn"), E_INVAL);  /* not an endpoint */
	CHECK_ERR(mem_name_publish(ms, 30, "none"), E_INVAL);  /* no object there */
	CHECK_ERR(mem_name_publish(ms, 1, "memsrv"), E_RANGE); /* memsrv's own capability */
	CHECK_ERR(mem_name_publish(ms, MEMSRV_CNODE_SLOTS, "far"), E_RANGE);
	CHECK_ERR(mem_name_lookup(ms, "no.such.name", 0, NULL, NULL), E_NOTMAPPED);
	CHECK_ERR(mem_name_withdraw(ms, "no.such.name"), E_NOTMAPPED);
	CHECK_OK(same_info(&before));
	/* A taken name, a full slot, and the per-process limit. */
	CHECK_OK(mem_name_publish(ms, ep, "n0"));
	CHECK_ERR(mem_name_publish(ms, ep, "n0"), E_BUSY);
	CHECK_ERR(mem_name_lookup(ms, "n0", ep, NULL, NULL), E_DELETE_FIRST);
	CHECK_ERR(mem_name_lookup(ms, "n0", 2, NULL, NULL), E_RANGE);
	char name[4] = "n1";
	for (unsigned i = 1; i < MEMSRV_NAMES_PER_AS; i++) {
		name[1] = (char)('0' + i);
		CHECK_OK(mem_name_publish(ms, ep, name));
	}
	CHECK_ERR(mem_name_publish(ms, ep, "one.more"), E_NOMEM);
	struct mem_obj_info full_info;
	CHECK_OK(mem_obj_info(ms, &full_info));
	CHECK_EQ(full_info.names, before.names + MEMSRV_NAMES_PER_AS);
	CHECK_OK(mem_obj_delete(ms, ep)); /* withdraws all eight */
	CHECK_ERR(mem_name_lookup(ms, "n0", 0, NULL, NULL), E_NOTMAPPED);
	CHECK_OK(mem_obj_delete(ms, nt));
	CHECK_OK(mem_obj_info(ms, &full_info));
	CHECK_EQ(full_info.names, before.names);
	CHECK_EQ(full_info.objects, before.objects - 2);
	return 0;
}
