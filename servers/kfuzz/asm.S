/*
 * kfuzz's stackless threads: the helpers the fuzzer may start in its own space and the
 * root's ticker. None uses memory, and a helper ends with an undefined instruction (a
 * fault) on its first error or after HELPER_ROUNDS messages, so no helper can spin, nor an
 * echo helper and a caller helper play ping-pong forever, and starve the ticker.
 */
/* System-call numbers (mica/syscall.h, which is C only). */
#define SYS_CALL	0
#define SYS_REPLY_RECV	1
#define SYS_SEND	2
#define SYS_RECV	4
#define HELPER_ROUNDS	64

	.section .text, "ax"

/* void fz_helper_echo(void), x0 = endpoint: receives, then replies to every message with
 * the message itself and receives again, HELPER_ROUNDS times. */
	.global fz_helper_echo
	.type fz_helper_echo, %function
fz_helper_echo:
	mov	x19, x0
	mov	x20, #HELPER_ROUNDS
	mov	x8, #SYS_RECV
	svc	#0
1:	tbnz	x1, #63, 2f		/* an error label: stop */
	subs	x20, x20, #1
	b.eq	2f
	mov	x0, x19
	mov	x8, #SYS_REPLY_RECV
	svc	#0
	b	1b
2:	.inst	0x00000000		/* udf #0 */
	b	2b
	.size fz_helper_echo, . - fz_helper_echo

/* void fz_helper_caller(void), x0 = endpoint: calls it with an empty message, again and
 * again while the calls succeed, HELPER_ROUNDS times. */
	.global fz_helper_caller
	.type fz_helper_caller, %function
fz_helper_caller:
	mov	x19, x0
	mov	x20, #HELPER_ROUNDS
1:	mov	x0, x19
	mov	x1, #0
	mov	x8, #SYS_CALL
	svc	#0
	tbnz	x1, #63, 2f
	subs	x20, x20, #1
	b.ne	1b
2:	.inst	0x00000000		/* udf #0 */
	b	2b
	.size fz_helper_caller, . - fz_helper_caller

/* void fz_ticker(void), x0 = notification: signals it forever. At the lowest priority it
 * runs only when no other thread can, which is how the root learns the fuzzer is stuck. */
	.global fz_ticker
	.type fz_ticker, %function
fz_ticker:
	mov	x19, x0
1:	mov	x0, x19
	mov	x1, #0
	mov	x8, #SYS_SEND
	svc	#0
	b	1b
	.size fz_ticker, . - fz_ticker
