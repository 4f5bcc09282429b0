/*
 * greet: the client of docs/first-program.md's greeter. It looks the name up and calls the
 * server once.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	unsigned slot, server;
	struct mica_msg msg = { .label = 1, .length = 0 };

	(void)argc;
	(void)argv;
	int err = mem_name_lookup(MICA_MEMSRV_SLOT, "greeter", 0, &slot, &server);
	if (!err)
		err = mica_msg_error(mica_call(slot, &msg));
	if (err) {
		printf("greet: %s\n", mica_strerror(err));
		return 1;
	}
	printf("greet: process %u says hello to process %lu (call %lu)\n", server,
	       (unsigned long)msg.mr[0], (unsigned long)msg.mr[1]);
	return 0;
}
