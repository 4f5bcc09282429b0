/*
 * The audit walks the kernel's tables in address order, VSPACE_WALK_MAX mappings per call,
 * until the kernel says there is nothing further (next == 0).
 */
#include "audit.h"

#include <mica.h>
#include <mica/errors.h>
#include <mica/invocation.h>
#include <mica_invoke.h>
#include <stdio.h>

#include "alloc.h"
#include "console.h"

/*
 * One VSPACE_WALK call. (libc-mini's mica_vspace_walk insists on a reply of 2 + 4 * max
 * words, so it fails with E_MSGSIZE on the last, shorter batch; this reads what came.)
 */
static int walk_batch(cptr_t vspace, uint64_t start, struct mica_mapping *out, unsigned *count,
		      uint64_t *next)
{
	const struct ipc_buffer *buf = mica_ipc_buffer();
	struct mica_msg msg = { .label = VSPACE_WALK, .length = 2 };
	msg.mr[0] = start;
	msg.mr[1] = VSPACE_WALK_MAX;
	int err = mica_msg_error(mica_call(vspace, &msg));
	if (err)
		return err;
	if (msg.length < 2 || msg.mr[0] > VSPACE_WALK_MAX || msg.length < 2 + 4 * msg.mr[0])
		return E_MSGSIZE;
	*count = (unsigned)msg.mr[0];
	*next = msg.mr[1];
	for (unsigned i = 0; i < *count; i++) {
		uint64_t w[4];
		for (unsigned j = 0; j < 4; j++) {
			unsigned k = 2 + 4 * i + j;
			w[j] = k < MSG_REGISTERS ? msg.mr[k] : buf->msg[k];
		}
		out[i].vaddr = w[0];
		out[i].paddr = w[1];
		out[i].size_bits = (unsigned)w[2];
		out[i].rights = (unsigned)w[3];
	}
	return E_OK;
}

/* What is wrong with one installed mapping. */
enum verdict {
	V_OK,
	V_OUTSIDE,    /* not a 4 KiB page of a VMA outside its guard pages */
	V_RIGHTS,     /* more rights than the VMA */
	V_UNRECORDED, /* memsrv has no page there */
	V_PADDR,      /* another physical page than memsrv's */
};

/* The physical address memsrv believes backs va (0: none): its frame, or the UART page. */
static uint64_t believed_paddr(const struct aspace *as, const struct vma *v, uint64_t va)
{
	if (v->kind == VMA_DEVICE)
		return console_page(as, va) ? console_page_paddr() : 0;
	cptr_t f = aspace_page(as, va);
	return f ? alloc_frame_paddr(f) : 0;
}

/*
 * Whether one installed mapping agrees with the VMA tree and memsrv's records: a page memsrv
 * recorded (a RAM frame, or the console's device page in its VMA_DEVICE VMA), at the physical
 * address memsrv computed for it, with no more rights than the VMA. *want gets that address.
 */
static enum verdict judge(const struct aspace *as, const struct mica_mapping *m, uint64_t *want)
{
	const struct vma *v = vma_find(&as->vmas, m->vaddr);
	*want = 0;
	if (m->size_bits != 12 || !v || m->vaddr - v->start < v->guard_pages * PAGE_SIZE)
		return V_OUTSIDE;
	if (aspace_vma_rights(m->rights) & ~v->rights)
		return V_RIGHTS;
	*want = believed_paddr(as, v, m->vaddr);
	if (!*want)
		return V_UNRECORDED;
	return m->paddr == *want ? V_OK : V_PADDR;
}

/* Prints one disagreeing mapping. */
static void report(const struct aspace *as, const struct mica_mapping *m, enum verdict why,
		   uint64_t want)
{
	const struct vma *v = vma_find(&as->vmas, m->vaddr);
	printf("memsrv: audit of %u: mapping %#lx: ", as->id, (unsigned long)m->vaddr);
	switch (why) {
	case V_OUTSIDE:
		printf("not a page of a VMA (%u bits)\n", m->size_bits);
		break;
	case V_RIGHTS:
		printf("rights %#x exceed the VMA's %#x\n", m->rights,
		       aspace_kernel_rights(v->rights));
		break;
	case V_UNRECORDED:
		printf("not recorded by memsrv\n");
		break;
	default:
		printf("physical %#lx, memsrv has %#lx\n", (unsigned long)m->paddr,
		       (unsigned long)want);
		break;
	}
}

/* The checks over the whole space; each failing one is one violation, printed. */
static uint64_t totals_disagree(const struct aspace *as, uint64_t mappings,
				const struct mica_vspace_info *info)
{
	uint64_t bad = 0, pages = vma_resident(&as->vmas) + console_device_pages(as);
	int check = vma_check(&as->vmas);
	if (mappings != pages) {
		printf("memsrv: audit of %u: %lu mappings installed, memsrv has %lu pages\n",
		       as->id, (unsigned long)mappings, (unsigned long)pages);
		bad++;
	}
	if (info->table_pages != as->table_pages) {
		printf("memsrv: audit of %u: %lu table pages installed, memsrv has %lu\n", as->id,
		       (unsigned long)info->table_pages, (unsigned long)as->table_pages);
		bad++;
	}
	if (check != VMA_CHECK_OK) {
		printf("memsrv: audit of %u: VMA tree check failed (%d)\n", as->id, check);
		bad++;
	}
	return bad;
}

int audit_aspace(struct aspace *as, uint64_t *checked, uint64_t *violations)
{
	struct mica_mapping maps[VSPACE_WALK_MAX];
	uint64_t next = 0, n = 0, bad = 0, want;
	do {
		unsigned count;
		int err = walk_batch(as->vspace, next, maps, &count, &next);
		if (err)
			return err;
		for (unsigned i = 0; i < count; i++) {
			enum verdict why = judge(as, &maps[i], &want);
			if (why != V_OK) {
				report(as, &maps[i], why, want);
				bad++;
			}
		}
		n += count;
	} while (next != 0);
	struct mica_vspace_info info;
	int err = mica_vspace_info(as->vspace, &info);
	if (err)
		return err;
	*checked = n;
	*violations = bad + totals_disagree(as, n, &info);
	return E_OK;
}
