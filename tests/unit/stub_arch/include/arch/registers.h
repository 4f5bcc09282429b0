/*
 * A stub architecture's saved registers, for host tests of generic kernel code
 * (tests/unit/test_ipc.c). The layout is deliberately unlike AArch64's: the message info,
 * the badge and the message registers sit in other places and argument registers are a
 * separate array, so generic code that assumed AArch64's register numbers would fail the
 * tests. The accessors are the ones kernel/arch/aarch64/include/arch/registers.h provides.
 */
#pragma once

#include <mica/syscall.h>
#include <stdint.h>

struct user_context {
	uint64_t pc, sp, tls;
	uint64_t syscall;
	uint64_t info;
	uint64_t scratch[3];
	uint64_t mr[MSG_REGISTERS];
	uint64_t badge; /* also the cptr going in */
	uint64_t arg[8];
	uint64_t mode;
};

struct fpu_state {
	uint64_t v[4];
};

#define ARCH_ARG_REGS 8

static inline uint64_t arch_get_mr(const struct user_context *c, unsigned i)
{
	return c->mr[i];
}
static inline void arch_set_mr(struct user_context *c, unsigned i, uint64_t v)
{
	c->mr[i] = v;
}
static inline uint64_t arch_get_cptr(const struct user_context *c)
{
	return c->badge;
}
static inline uint64_t arch_get_badge(const struct user_context *c)
{
	return c->badge;
}
static inline void arch_set_badge(struct user_context *c, uint64_t badge)
{
	c->badge = badge;
}
static inline uint64_t arch_get_msginfo(const struct user_context *c)
{
	return c->info;
}
static inline void arch_set_msginfo(struct user_context *c, uint64_t info)
{
	c->info = info;
}
static inline uint64_t arch_get_syscall(const struct user_context *c)
{
	return c->syscall;
}
static inline uint64_t arch_get_arg(const struct user_context *c, unsigned i)
{
	return c->arg[i];
}
static inline void arch_set_arg(struct user_context *c, unsigned i, uint64_t v)
{
	c->arg[i] = v;
}
static inline uint64_t arch_get_pc(const struct user_context *c)
{
	return c->pc;
}
static inline void arch_set_pc(struct user_context *c, uint64_t pc)
{
	c->pc = pc;
}
static inline uint64_t arch_get_sp(const struct user_context *c)
{
	return c->sp;
}
static inline void arch_set_sp(struct user_context *c, uint64_t sp)
{
	c->sp = sp;
}
static inline void arch_set_tls(struct user_context *c, uint64_t tls)
{
	c->tls = tls;
}
static inline uint64_t arch_get_register_word(const struct user_context *c, unsigned i)
{
	return i == 0 ? c->pc : i == 1 ? c->sp : i < 10 ? c->arg[i - 2] : 0;
}
static inline void arch_clear_scratch_registers(struct user_context *c)
{
	for (unsigned i = 0; i < 3; i++)
		c->scratch[i] = 0;
}
static inline void arch_init_user_context(struct user_context *c, uint64_t entry, uint64_t sp,
					  uint64_t arg)
{
	c->pc = entry;
	c->sp = sp;
	c->arg[0] = arg;
	c->mode = 0;
}
