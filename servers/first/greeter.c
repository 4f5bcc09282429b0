/*
 * greeter: the first server of docs/first-program.md. It makes an endpoint, publishes it as
 * "greeter" and answers every call with the caller's badge (its process id) and a count.
 */
#include <memsrv_client.h>
#include <mica.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	unsigned ep;
	uint64_t badge, calls = 0;
	struct mica_msg msg;

	(void)argc;
	(void)argv;
	int err = mem_obj_create(MICA_MEMSRV_SLOT, MEMSRV_OBJ_ENDPOINT, 0, 0, &ep);
	if (!err)
		err = mem_name_publish(MICA_MEMSRV_SLOT, ep, "greeter");
	if (err) {
		printf("greeter: %s\n", mica_strerror(err));
		return 1;
	}
	printf("greeter: ready\n");
	mica_recv(ep, &msg, &badge);
	for (;;) {
		msg = (struct mica_msg){ .label = 0, .length = 2, .mr = { badge, ++calls } };
		mica_reply_recv(ep, &msg, &badge);
	}
}
