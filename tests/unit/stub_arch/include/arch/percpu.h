/* The stub architecture's per-CPU part (host tests): one core, found without registers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct percpu;

struct arch_percpu {
	bool vspace_dirty; /* arch.h's arch_vspace_changed reads it */
};

/* The host test's only core (the test defines it). */
struct percpu *stub_this_cpu(void);

static inline struct percpu *arch_this_cpu(void)
{
	return stub_this_cpu();
}
