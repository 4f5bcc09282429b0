/* Cores: placing new threads (cores.h). */
#include "cores.h"

#include <mica/errors.h>
#include <mica/memsrv.h>

struct cores cores;

void cores_init(struct cores *c, uint64_t online, int64_t fixed)
{
	*c = (struct cores){ .online = 1, .fixed = -1 };
	if (online > CORES_MAX)
		online = CORES_MAX;
	if (online > 1)
		c->online = (unsigned)online;
	if (fixed >= 0)
		c->fixed = fixed < (int64_t)c->online ? (int)fixed : 0;
	c->last = 0;
	c->load[0] = 1; /* memsrv itself */
}

/* The least loaded core, searching from the one after the core picked last. */
static unsigned least_loaded(const struct cores *c)
{
	unsigned best = (c->last + 1) % c->online;
	for (unsigned i = 1; i < c->online; i++) {
		unsigned k = (c->last + 1 + i) % c->online;
		if (c->load[k] < c->load[best])
			best = k;
	}
	return best;
}

int cores_pick(struct cores *c, uint64_t flags, unsigned *core)
{
	if (flags & MEMSRV_ON_CORE) {
		unsigned n = MEMSRV_CORE_OF(flags);
		if (n >= c->online)
			return E_RANGE;
		*core = n;
		return E_OK;
	}
	if (c->fixed >= 0) {
		*core = (unsigned)c->fixed;
		return E_OK;
	}
	*core = least_loaded(c);
	c->last = *core;
	return E_OK;
}

void cores_take(struct cores *c, unsigned core)
{
	if (core < c->online)
		c->load[core]++;
}

void cores_give(struct cores *c, unsigned core)
{
	if (core < c->online && c->load[core])
		c->load[core]--;
}
