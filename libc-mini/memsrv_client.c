/*
 * The memsrv client library (memsrv_client.h). Every request goes through mem_request, the
 * one place that knows how words map onto message registers and the IPC buffer.
 */
#include <memsrv_client.h>

#include <stddef.h>
#include <string.h>

#include <mica.h>

#define SPAWN_NAME_WORD  8
#define SPAWN_NAME_BYTES 64

int mem_request(cptr_t ms, uint64_t label, const uint64_t *args, unsigned nargs, uint64_t *results,
		unsigned max_results, unsigned *nresults)
{
	struct ipc_buffer *buf = mica_ipc_buffer();
	if (nargs > MSG_MAX_LENGTH)
		return E_MSGSIZE;
	if (nargs > MSG_REGISTERS && !buf)
		return E_INVAL;
	struct mica_msg msg = { .label = label, .length = nargs };
	for (unsigned i = 0; i < nargs; i++) {
		if (i < MSG_REGISTERS)
			msg.mr[i] = args[i];
		else
			buf->msg[i] = args[i];
	}
	int err = mica_msg_error(mica_call(ms, &msg));
	if (err)
		return err;
	if (nresults)
		*nresults = msg.length;
	for (unsigned i = 0; i < max_results && i < msg.length; i++) {
		if (i >= MSG_REGISTERS && !buf)
			return E_INVAL;
		results[i] = i < MSG_REGISTERS ? msg.mr[i] : buf->msg[i];
	}
	return E_OK;
}

/* A request that must return at least `want` words. */
static int request_n(cptr_t ms, uint64_t label, const uint64_t *args, unsigned nargs,
		     uint64_t *results, unsigned want)
{
	unsigned got;
	int err = mem_request(ms, label, args, nargs, results, want, &got);
	if (!err && got < want)
		return E_MSGSIZE;
	return err;
}

int mem_as_create(cptr_t ms, uint64_t quota, unsigned *as_id)
{
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_AS_CREATE, &quota, 1, r, 1);
	if (!err)
		*as_id = (unsigned)r[0];
	return err;
}

int mem_as_destroy(cptr_t ms, unsigned as_id)
{
	const uint64_t a[] = { as_id };
	return mem_request(ms, MEMSRV_AS_DESTROY, a, 1, NULL, 0, NULL);
}

int mem_as_list(cptr_t ms, unsigned first, unsigned ids[100], unsigned *count)
{
	uint64_t a[] = { first }, r[101];
	unsigned got;
	int err = mem_request(ms, MEMSRV_AS_LIST, a, 1, r, 101, &got);
	if (err)
		return err;
	if (got < 1 || r[0] > 100 || got < 1 + r[0])
		return E_MSGSIZE;
	for (unsigned i = 0; i < r[0]; i++)
		ids[i] = (unsigned)r[1 + i];
	*count = (unsigned)r[0];
	return E_OK;
}

int mem_map(cptr_t ms, unsigned as, uint64_t addr, uint64_t length, unsigned prot, unsigned kind,
	    unsigned flags, uint64_t *start)
{
	const uint64_t a[] = { as, addr, length, prot, kind, flags };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_MAP, a, 6, r, 1);
	if (!err && start)
		*start = r[0];
	return err;
}

int mem_unmap(cptr_t ms, unsigned as, uint64_t addr, uint64_t length)
{
	const uint64_t a[] = { as, addr, length };
	return mem_request(ms, MEMSRV_UNMAP, a, 3, NULL, 0, NULL);
}

int mem_protect(cptr_t ms, unsigned as, uint64_t addr, uint64_t length, unsigned prot)
{
	const uint64_t a[] = { as, addr, length, prot };
	return mem_request(ms, MEMSRV_PROTECT, a, 4, NULL, 0, NULL);
}

int mem_query(cptr_t ms, unsigned as, uint64_t addr, struct mem_vma *out)
{
	const uint64_t a[] = { as, addr };
	uint64_t r[6];
	int err = request_n(ms, MEMSRV_QUERY, a, 2, r, 6);
	if (err)
		return err;
	out->start = r[0];
	out->length = r[1];
	out->prot = (unsigned)r[2];
	out->kind = (unsigned)r[3];
	out->flags = (unsigned)r[4];
	out->resident = r[5];
	return E_OK;
}

int mem_vma_list(cptr_t ms, unsigned as, uint64_t from, struct mem_vma *out, unsigned max,
		 unsigned *count, uint64_t *next)
{
	const uint64_t a[] = { as, from, max };
	uint64_t r[2 + 4 * 19];
	unsigned got;
	if (max == 0 || max > 19)
		return E_RANGE;
	int err = mem_request(ms, MEMSRV_VMA_LIST, a, 3, r, 2 + 4 * max, &got);
	if (err)
		return err;
	if (got < 2 || r[0] > max || got < 2 + 4 * r[0])
		return E_MSGSIZE;
	for (unsigned i = 0; i < r[0]; i++) {
		const uint64_t *v = &r[2 + 4 * i];
		out[i].start = v[0];
		out[i].length = v[1];
		out[i].prot = (unsigned)(v[2] & 0xff);
		out[i].kind = (unsigned)((v[2] >> 8) & 0xff);
		out[i].flags = (unsigned)((v[2] >> 16) & 0xffff);
		out[i].resident = v[3];
	}
	*count = (unsigned)r[0];
	*next = r[1];
	return E_OK;
}

int mem_stats(cptr_t ms, unsigned as, uint64_t out[MEMSRV_STAT_COUNT])
{
	const uint64_t a[] = { as };
	return request_n(ms, MEMSRV_STATS, a, 1, out, MEMSRV_STAT_COUNT);
}

int mem_global_stats(cptr_t ms, struct mem_global_stats *out)
{
	uint64_t r[MEMSRV_GSTAT_COUNT + KSTAT_COUNT];
	int err = request_n(ms, MEMSRV_GLOBAL_STATS, NULL, 0, r, MEMSRV_GSTAT_COUNT + KSTAT_COUNT);
	if (err)
		return err;
	memcpy(out->memsrv, r, sizeof(out->memsrv));
	memcpy(out->kernel, r + MEMSRV_GSTAT_COUNT, sizeof(out->kernel));
	return E_OK;
}

int mem_cpu_stats(cptr_t ms, unsigned core, struct mem_cpu_stats *out)
{
	const uint64_t a[] = { core };
	uint64_t r[KCPU_COUNT + 1];
	int err = request_n(ms, MEMSRV_CPU_STATS, a, 1, r, KCPU_COUNT + 1);
	if (err)
		return err;
	memcpy(out->kernel, r, sizeof(out->kernel));
	out->placed = r[KCPU_COUNT];
	return E_OK;
}

int mem_audit(cptr_t ms, unsigned as, uint64_t *checked, uint64_t *violations)
{
	const uint64_t a[] = { as };
	uint64_t r[2];
	int err = request_n(ms, MEMSRV_AUDIT, a, 1, r, 2);
	if (!err) {
		*checked = r[0];
		*violations = r[1];
	}
	return err;
}

int mem_spawn(cptr_t ms, const char *name, unsigned priority, uint64_t arg, unsigned flags,
	      uint64_t quota, unsigned *pid)
{
	uint64_t a[SPAWN_NAME_WORD + SPAWN_NAME_BYTES / 8] = { priority, arg, flags, quota };
	size_t len = strnlen(name, SPAWN_NAME_BYTES);
	uint64_t r[1];
	if (len == SPAWN_NAME_BYTES)
		return E_INVAL;
	memcpy(&a[SPAWN_NAME_WORD], name, len + 1);
	unsigned nargs = SPAWN_NAME_WORD + (unsigned)(len + 8) / 8; /* through the NUL */
	int err = request_n(ms, MEMSRV_SPAWN, a, nargs, r, 1);
	if (!err)
		*pid = (unsigned)r[0];
	return err;
}

int mem_kill(cptr_t ms, unsigned pid)
{
	const uint64_t a[] = { pid };
	return mem_request(ms, MEMSRV_KILL, a, 1, NULL, 0, NULL);
}

int mem_ps(cptr_t ms, unsigned first, struct mem_proc *out, unsigned max, unsigned *count)
{
	const uint64_t a[] = { first };
	uint64_t r[1 + 4 * 25];
	unsigned got;
	int err = mem_request(ms, MEMSRV_PS, a, 1, r, 1 + 4 * 25, &got);
	if (err)
		return err;
	if (got < 1 || r[0] > 25 || got < 1 + 4 * r[0])
		return E_MSGSIZE;
	unsigned n = r[0] < max ? (unsigned)r[0] : max;
	for (unsigned i = 0; i < n; i++) {
		const uint64_t *p = &r[1 + 4 * i];
		out[i].id = (unsigned)p[0];
		out[i].state = p[1];
		out[i].faults = p[2];
		out[i].resident = p[3];
	}
	*count = n;
	return E_OK;
}

int mem_exit(cptr_t ms, int code)
{
	const uint64_t a[] = { (uint64_t)(uint32_t)code };
	return mem_request(ms, MEMSRV_EXIT, a, 1, NULL, 0, NULL);
}

int mem_seed(cptr_t ms, uint64_t seed)
{
	return mem_request(ms, MEMSRV_SEED, &seed, 1, NULL, 0, NULL);
}

int mem_proc_info(cptr_t ms, unsigned pid, struct mem_proc_info *out)
{
	const uint64_t a[] = { pid };
	uint64_t r[MEMSRV_PI_COUNT];
	int err = request_n(ms, MEMSRV_PROC_INFO, a, 1, r, MEMSRV_PI_COUNT);
	if (err)
		return err;
	out->state = r[MEMSRV_PI_STATE];
	out->fault_addr = r[MEMSRV_PI_FAULT_ADDR];
	out->fault_pc = r[MEMSRV_PI_FAULT_PC];
	out->faults = r[MEMSRV_PI_FAULTS];
	out->resident = r[MEMSRV_PI_RESIDENT];
	memcpy(out->name, &r[MEMSRV_PI_NAME], sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	out->core = (unsigned)r[MEMSRV_PI_CORE];
	for (unsigned i = 0; i < MEMSRV_THREADS_MAX; i++)
		out->thread_core[i] = (uint8_t)(r[MEMSRV_PI_THREAD_CORES] >> (8 * i));
	return E_OK;
}

int mem_program(cptr_t ms, unsigned index, struct mem_program *out)
{
	const uint64_t a[] = { index };
	uint64_t r[2 + 8];
	int err = request_n(ms, MEMSRV_PROGRAMS, a, 1, r, 2 + 8);
	if (err)
		return err;
	out->size = r[0];
	out->kind = (unsigned)r[1];
	memcpy(out->name, &r[2], sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	return E_OK;
}

int mem_probe_attach(cptr_t ms, unsigned as)
{
	const uint64_t a[] = { as };
	return mem_request(ms, MEMSRV_PROBE_ATTACH, a, 1, NULL, 0, NULL);
}

int mem_probe_detach(cptr_t ms)
{
	return mem_request(ms, MEMSRV_PROBE_DETACH, NULL, 0, NULL, 0, NULL);
}

int mem_probe_access(cptr_t probe, unsigned label, uint64_t addr, uint64_t *value,
		     struct mem_probe_fault *fault)
{
	struct mica_msg msg = { .label = label, .length = label == MEMSRV_PROBE_POKE ? 2 : 1 };
	msg.mr[0] = addr;
	msg.mr[1] = label == MEMSRV_PROBE_POKE ? *value : 0;
	uint64_t info = mica_call(probe, &msg);
	int err = mica_msg_error(info);
	if (err)
		return err;
	if (msg.label == MEMSRV_PROBE_FAULTED) {
		if (msg.length < 2)
			return E_MSGSIZE;
		fault->stat = (unsigned)msg.mr[0];
		fault->addr = msg.mr[1];
		return MEMSRV_PROBE_FAULTED;
	}
	if (msg.label != 0 || (label == MEMSRV_PROBE_PEEK && msg.length < 1))
		return E_MSGSIZE;
	if (label == MEMSRV_PROBE_PEEK)
		*value = msg.mr[0];
	return E_OK;
}

int mem_obj_create(cptr_t ms, unsigned type, unsigned slot, uint64_t badge, unsigned *out_slot)
{
	const uint64_t a[] = { type, slot, badge };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_OBJ_CREATE, a, 3, r, 1);
	if (!err && out_slot)
		*out_slot = (unsigned)r[0];
	return err;
}

int mem_obj_delete(cptr_t ms, unsigned slot)
{
	const uint64_t a[] = { slot };
	return mem_request(ms, MEMSRV_OBJ_DELETE, a, 1, NULL, 0, NULL);
}

int mem_obj_info(cptr_t ms, struct mem_obj_info *out)
{
	uint64_t r[MEMSRV_OI_COUNT];
	int err = request_n(ms, MEMSRV_OBJ_INFO, NULL, 0, r, MEMSRV_OI_COUNT);
	if (err)
		return err;
	out->objects = r[MEMSRV_OI_OBJECTS];
	out->quota = r[MEMSRV_OI_QUOTA];
	out->names = r[MEMSRV_OI_NAMES];
	out->all_objects = r[MEMSRV_OI_ALL_OBJECTS];
	out->all_names = r[MEMSRV_OI_ALL_NAMES];
	out->shm_regions = r[MEMSRV_OI_SHM_REGIONS];
	out->shm_frames = r[MEMSRV_OI_SHM_FRAMES];
	return E_OK;
}

/* Packs `name` into a[first .. first + MEMSRV_NAME_WORDS); E_INVAL if it does not fit. */
static int pack_name(const char *name, uint64_t *a, unsigned first)
{
	size_t len = strnlen(name, MEMSRV_NAME_BYTES);
	if (len == 0 || len >= MEMSRV_NAME_BYTES)
		return E_INVAL;
	memset(&a[first], 0, MEMSRV_NAME_BYTES);
	memcpy(&a[first], name, len);
	return E_OK;
}

int mem_name_publish(cptr_t ms, unsigned slot, const char *name)
{
	uint64_t a[1 + MEMSRV_NAME_WORDS] = { slot };
	int err = pack_name(name, a, 1);
	return err ? err
		   : mem_request(ms, MEMSRV_NAME_PUBLISH, a, 1 + MEMSRV_NAME_WORDS, NULL, 0, NULL);
}

int mem_name_lookup(cptr_t ms, const char *name, unsigned slot, unsigned *out_slot,
		    unsigned *publisher)
{
	uint64_t a[1 + MEMSRV_NAME_WORDS] = { slot }, r[2];
	int err = pack_name(name, a, 1);
	if (!err)
		err = request_n(ms, MEMSRV_NAME_LOOKUP, a, 1 + MEMSRV_NAME_WORDS, r, 2);
	if (err)
		return err;
	if (out_slot)
		*out_slot = (unsigned)r[0];
	if (publisher)
		*publisher = (unsigned)r[1];
	return E_OK;
}

int mem_name_withdraw(cptr_t ms, const char *name)
{
	uint64_t a[MEMSRV_NAME_WORDS];
	int err = pack_name(name, a, 0);
	return err ? err
		   : mem_request(ms, MEMSRV_NAME_WITHDRAW, a, MEMSRV_NAME_WORDS, NULL, 0, NULL);
}

int mem_spawn_argv(cptr_t ms, unsigned priority, unsigned flags, uint64_t quota, int argc,
		   const char *const *argv, unsigned *pid)
{
	uint64_t a[MEMSRV_ARGV_WORD + MEMSRV_ARGV_BYTES / 8] = { priority, flags, quota,
								 (uint64_t)argc };
	char *bytes = (char *)&a[MEMSRV_ARGV_WORD];
	size_t at = 0;
	if (argc < 1 || argc > MEMSRV_ARGC_MAX)
		return E_INVAL;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (at + len + 1 > MEMSRV_ARGV_BYTES)
			return E_INVAL;
		memcpy(bytes + at, argv[i], len + 1);
		at += len + 1;
	}
	uint64_t r[1];
	unsigned words = MEMSRV_ARGV_WORD + (unsigned)((at + 7) / 8);
	int err = request_n(ms, MEMSRV_SPAWN_ARGV, a, words, r, 1);
	if (!err)
		*pid = (unsigned)r[0];
	return err;
}

int mem_wait(cptr_t ms, unsigned pid, uint64_t *state)
{
	const uint64_t a[] = { pid };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_WAIT, a, 1, r, 1);
	if (!err)
		*state = r[0];
	return err;
}

int mem_start(cptr_t ms, unsigned pid)
{
	const uint64_t a[] = { pid };
	return request_n(ms, MEMSRV_START, a, 1, NULL, 0);
}

int mem_shm_create(cptr_t ms, unsigned pages, unsigned max_prot, uint64_t *handle)
{
	const uint64_t a[] = { pages, max_prot };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_SHM_CREATE, a, 2, r, 1);
	if (!err)
		*handle = r[0];
	return err;
}

int mem_shm_share(cptr_t ms, uint64_t handle, unsigned pid, unsigned prot)
{
	const uint64_t a[] = { handle, pid, prot };
	return mem_request(ms, MEMSRV_SHM_SHARE, a, 3, NULL, 0, NULL);
}

int mem_shm_map(cptr_t ms, unsigned as, uint64_t handle, uint64_t addr, unsigned prot,
		uint64_t *start)
{
	const uint64_t a[] = { as, handle, addr, prot };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_SHM_MAP, a, 4, r, 1);
	if (!err && start)
		*start = r[0];
	return err;
}

int mem_shm_release(cptr_t ms, uint64_t handle)
{
	const uint64_t a[] = { handle };
	return mem_request(ms, MEMSRV_SHM_RELEASE, a, 1, NULL, 0, NULL);
}

/* Where mem_thread_create's threads start: x0 = fn, x1 = arg, x2 = their memsrv slot. */
static __attribute__((noreturn)) void thread_start(int (*fn)(void *), void *arg, cptr_t self)
{
	mem_thread_exit(self, fn(arg));
	for (;;)
		mica_yield(); /* not reached: memsrv ended the thread */
}

int mem_thread_create(cptr_t ms, int (*fn)(void *), void *arg, unsigned priority, unsigned *tid)
{
	const uint64_t a[] = { (uint64_t)(uintptr_t)thread_start, (uint64_t)(uintptr_t)fn,
			       (uint64_t)(uintptr_t)arg, priority };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_THREAD_CREATE, a, 4, r, 1);
	if (!err)
		*tid = (unsigned)r[0];
	return err;
}

int mem_thread_create_flags(cptr_t ms, int (*fn)(void *), void *arg, unsigned priority,
			    unsigned flags, unsigned *tid)
{
	const uint64_t a[] = { (uint64_t)(uintptr_t)thread_start, (uint64_t)(uintptr_t)fn,
			       (uint64_t)(uintptr_t)arg, priority, flags };
	uint64_t r[1];
	int err = request_n(ms, MEMSRV_THREAD_CREATE, a, 5, r, 1);
	if (!err)
		*tid = (unsigned)r[0];
	return err;
}

int mem_thread_exit(cptr_t self, int code)
{
	const uint64_t a[] = { (uint64_t)(int64_t)code };
	return mem_request(self, MEMSRV_THREAD_EXIT, a, 1, NULL, 0, NULL);
}

int mem_thread_info(cptr_t ms, unsigned tid, unsigned *state, int *code)
{
	const uint64_t a[] = { tid };
	uint64_t r[2];
	int err = request_n(ms, MEMSRV_THREAD_INFO, a, 1, r, 2);
	if (!err) {
		*state = (unsigned)r[0];
		*code = (int)(int64_t)r[1];
	}
	return err;
}
