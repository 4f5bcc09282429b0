/*
 * Semihosting calls (Arm's "Semihosting for AArch32 and AArch64"): SYS_WRITE0 for output,
 * SYS_EXIT for power-off. Each is one `hlt #0xf000`.
 */
#include <semihost.h>

#include <stdint.h>

#define SH_SYS_WRITE0       0x04
#define SH_SYS_EXIT         0x18
#define SH_APPLICATION_EXIT 0x20026 /* ADP_Stopped_ApplicationExit */
#define SH_CHUNK            128

/* Set by semihost_console: stdio.c's console_write then calls semihost_write. */
int mica_semihost_console;

/* One semihosting call: operation `op`, parameter block or value `arg`; returns x0. */
static uint64_t semihost_call(uint64_t op, const void *arg)
{
	register uint64_t x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = arg;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

void semihost_write(const char *s, size_t len)
{
	char buf[SH_CHUNK];
	while (len) {
		size_t n = len < SH_CHUNK - 1 ? len : SH_CHUNK - 1;
		for (size_t i = 0; i < n; i++)
			buf[i] = s[i];
		buf[n] = '\0';
		semihost_call(SH_SYS_WRITE0, buf);
		s += n;
		len -= n;
	}
}

void semihost_console(void)
{
	mica_semihost_console = 1;
}

void semihost_exit(int code)
{
	/* AArch64 takes a two-word block: the reason and the exit status. */
	uint64_t block[2] = { SH_APPLICATION_EXIT, (uint64_t)(int64_t)code };
	semihost_call(SH_SYS_EXIT, block);
	for (;;)
		__asm__ volatile("wfe");
}
