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

/*
 * Whether one installed mapping agrees with the VMA tree and memsrv's records: a RAM page
 * memsrv recorded, or the console's device page in its VMA_DEVICE VMA.
 */
static int mapping_ok(const struct aspace *as, const struct mica_mapping *m)
{
	const struct vma *v = vma_find(&as->vmas, m->vaddr);
	if (m->size_bits != 12 || !v || m->vaddr - v->start < v->guard_pages * PAGE_SIZE)
		return 0;
	if (aspace_vma_rights(m->rights) & ~v->rights)
		return 0;
	if (v->kind == VMA_DEVICE)
		return console_page(as, m->vaddr);
	return aspace_page(as, m->vaddr) != 0;
}

int audit_aspace(struct aspace *as, uint64_t *checked, uint64_t *violations)
{
	struct mica_mapping maps[VSPACE_WALK_MAX];
	uint64_t next = 0, n = 0, bad = 0;
	do {
		unsigned count;
		int err = walk_batch(as->vspace, next, maps, &count, &next);
		if (err)
			return err;
		for (unsigned i = 0; i < count; i++) {
			if (!mapping_ok(as, &maps[i])) {
				printf("memsrv: audit of %u: mapping %#lx (rights %#x) disagrees\n",
				       as->id, (unsigned long)maps[i].vaddr, maps[i].rights);
				bad++;
			}
		}
		n += count;
	} while (next != 0);
	struct mica_vspace_info info;
	int err = mica_vspace_info(as->vspace, &info);
	if (err)
		return err;
	bad += n != vma_resident(&as->vmas) + console_device_pages(as);
	bad += info.table_pages != as->table_pages;
	bad += vma_check(&as->vmas) != VMA_CHECK_OK;
	*checked = n;
	*violations = bad;
	return E_OK;
}
