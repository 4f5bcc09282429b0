/*
 * nstest: the server side of memtest's name-service tests (nstest.h lists its modes).
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stddef.h>
#include <stdint.h>

#include "nstest.h"

static cptr_t ms;

/* Answers every call with the caller's badge and its first word plus one. */
static __attribute__((noreturn)) void serve(cptr_t ep)
{
	struct mica_msg msg;
	uint64_t badge;
	mica_recv(ep, &msg, &badge);
	for (;;) {
		uint64_t word = msg.length ? msg.mr[0] : 0;
		msg = (struct mica_msg){ .label = 0, .length = 2, .mr = { badge, word + 1 } };
		mica_reply_recv(ep, &msg, &badge);
	}
}

/* Creates notifications until memsrv refuses; returns how many it made (or NSTEST_FAILED). */
static int exhaust_quota(void)
{
	int made = 0, err;
	while ((err = mem_obj_create(ms, MEMSRV_OBJ_NOTIFICATION, 0, 4, NULL)) == E_OK)
		made++;
	return err == E_NOMEM ? made : NSTEST_FAILED;
}

int main(void *cap, uint64_t mode)
{
	ms = (cptr_t)(uintptr_t)cap;
	if (mode == NSTEST_QUOTA)
		return exhaust_quota();
	unsigned ep;
	if (mem_obj_create(ms, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep) ||
	    mem_name_publish(ms, ep, NSTEST_NAME))
		return NSTEST_FAILED;
	if (mode == NSTEST_SERVE)
		serve(ep);
	if (mode == NSTEST_DIE_ON_CALL) {
		struct mica_msg msg;
		mica_recv(ep, &msg, NULL);
	}
	return NSTEST_EXIT_CODE;
}
