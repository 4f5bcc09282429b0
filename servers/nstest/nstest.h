/*
 * nstest: a small server for memtest's name-service tests. memsrv starts it with MEMSRV_SPAWN;
 * the spawn argument (x1) is its mode. In every mode but NSTEST_QUOTA it first creates an
 * endpoint and publishes it as NSTEST_NAME.
 */
#pragma once

#define NSTEST_NAME "nstest"

enum nstest_mode {
	NSTEST_SERVE = 1,        /* answer every call: MR0 = the caller's badge, MR1 = MR0 + 1 */
	NSTEST_PUBLISH_EXIT = 2, /* exit with NSTEST_EXIT_CODE once published */
	NSTEST_DIE_ON_CALL = 3,  /* take one call and exit without answering it */
	NSTEST_QUOTA = 4,        /* create notifications until refused; exit with how many */
};

#define NSTEST_EXIT_CODE 5
#define NSTEST_FAILED    100 /* exit code: a request that should have worked did not */
