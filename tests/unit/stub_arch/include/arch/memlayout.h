/* The stub architecture's kernel address space (host tests): kernel objects are host
 * memory, so a "physical" address is the host address. */
#pragma once

#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}
