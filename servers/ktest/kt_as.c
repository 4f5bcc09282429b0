/*
 * Address spaces of a test's own: the root's image mapped again in a fresh VSpace; and the
 * helpers the address-space tests share (kt_as.h).
 */
#include "kt_as.h"

#include <string.h>

/* The linker script's bounds of the program image (servers/user.ld). */
extern const char __user_start[], _end[];

/* One page of the root's image: its frame capability and how the root maps it. */
struct image_page {
	cptr_t frame;
	uint64_t vaddr;
	unsigned rights;
};

static struct image_page image[KT_AS_IMAGE_MAX];
static unsigned image_count;

/*
 * Finds the root's frames of [__user_start, _end) and the rights it maps them with, once.
 * Returns 0 or an error (recorded as a failure).
 */
static int image_scan(void)
{
	const struct bootinfo *bi = kt_bootinfo;
	if (image_count)
		return E_OK;
	for (cptr_t s = bi->image_frames.start; s < bi->image_frames.end; s++) {
		struct mica_frame_info f;
		struct mica_mapping m;
		unsigned n;
		uint64_t next;
		if (!CHECK_OK(mica_frame_get_address(s, &f)))
			return E_INVAL;
		if (f.mapped_vaddr < (uint64_t)__user_start || f.mapped_vaddr >= (uint64_t)_end)
			continue;
		if (!CHECK_OK(
			mica_vspace_walk(SLOT_INIT_VSPACE, f.mapped_vaddr, &m, 1, &n, &next)) ||
		    !CHECK(n == 1 && m.vaddr == f.mapped_vaddr) ||
		    !CHECK(image_count < KT_AS_IMAGE_MAX))
			return E_INVAL;
		image[image_count++] = (struct image_page){ s, m.vaddr, m.rights };
	}
	return E_OK;
}

unsigned kt_as_mapped_pages(void)
{
	image_scan();
	return image_count + 2;
}

/* A fresh page table from `untyped`, installed on the walk to `vaddr`. Returns 0 or an error. */
static int add_table(const struct kt_as *as, cptr_t untyped, uint64_t vaddr)
{
	cptr_t pt = kt_new_in(untyped, OBJ_PAGE_TABLE, 0);
	if (!pt)
		return E_NOMEM;
	int err = mica_page_table_map(pt, as->vspace, vaddr, NULL);
	CHECK_OK(err);
	return err;
}

/* A fresh frame from `untyped`, mapped R+W at `vaddr`; its slot in *frame. */
static int add_page(const struct kt_as *as, cptr_t untyped, uint64_t vaddr, cptr_t *frame)
{
	*frame = kt_new_in(untyped, OBJ_FRAME_4K, 0);
	if (!*frame)
		return E_NOMEM;
	int err = mica_frame_map(*frame, as->vspace, vaddr, RIGHT_READ | RIGHT_WRITE);
	CHECK_OK(err);
	return err;
}

/* Maps copies of the root's image frames at the root's addresses with the root's rights. */
static int map_image(struct kt_as *as)
{
	for (unsigned i = 0; i < image_count; i++) {
		cptr_t copy = kt_copy(image[i].frame, RIGHTS_ALL);
		if (!copy)
			return E_NOCAP;
		int err = mica_frame_map(copy, as->vspace, image[i].vaddr, image[i].rights);
		if (!CHECK_OK(err))
			return err;
	}
	as->image_pages = image_count;
	return E_OK;
}

int kt_as_new(struct kt_as *as, cptr_t untyped, cptr_t pool)
{
	memset(as, 0, sizeof(*as));
	if (!untyped)
		untyped = kt_test_untyped();
	int err = image_scan();
	if (err)
		return err;
	as->vspace = kt_new_in(untyped, OBJ_VSPACE, 0);
	if (!as->vspace)
		return E_NOMEM;
	if (!CHECK_OK(err = mica_asid_pool_assign(pool, as->vspace, &as->asid)))
		return err;
	for (int level = 1; level <= 3 && !err; level++)
		err = add_table(as, untyped, (uint64_t)__user_start);
	if (!err)
		err = add_table(as, untyped, KT_AS_PAGE);
	if (!err)
		err = map_image(as);
	if (!err)
		err = add_page(as, untyped, KT_AS_PAGE, &as->page);
	if (!err)
		err = add_page(as, untyped, KT_AS_STACK, &as->stack);
	return err;
}

volatile struct kt_probed kt_probed;

void kt_probe_load(uint64_t addr)
{
	kt_probed.result = kt_fault_load(addr);
	kt_probed.done = 1;
}

void kt_probe_store(uint64_t addr)
{
	kt_fault_store(addr, KT_PROBE_VALUE);
	kt_probed.done = 1;
}

void kt_probe_jump(uint64_t addr)
{
	kt_fault_jump(addr);
	kt_probed.done = 1;
}

void kt_do_nothing(uint64_t arg)
{
	(void)arg;
}

uint64_t kt_probe(kt_fn fn, uint64_t arg, const struct kt_as *as, struct mica_msg *m)
{
	struct kt_thread t;
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	struct kt_thread_opts o = { .prio = 100, .fault_ep = ep, .as = as };
	memset(m, 0, sizeof(*m));
	kt_probed.done = 0;
	kt_probed.result = 0;
	if (!ep || kt_thread_new(&t, &o) || kt_thread_start(&t, fn, arg))
		return ~0ull;
	kt_settle();
	uint64_t info = mica_nbrecv(ep, m, NULL);
	return mica_msg_error(info) == E_WOULDBLOCK ? 0 : m->label;
}

uint64_t kt_kstat(unsigned which)
{
	uint64_t s[KSTAT_COUNT];
	if (!CHECK_OK(mica_kernel_stats(SLOT_KERNEL_INFO, s)))
		return 0;
	return s[which];
}

cptr_t kt_map_test_table(void)
{
	unsigned level = 0;
	cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0);
	if (!pt || !CHECK_OK(mica_page_table_map(pt, SLOT_INIT_VSPACE, KT_TEST_VA, &level)) ||
	    !CHECK_EQ(level, 3))
		return 0;
	return pt;
}

bool kt_map_test_page(unsigned rights, struct kt_test_page *p)
{
	p->table = kt_map_test_table();
	p->frame = kt_new(OBJ_FRAME_4K, 0);
	return p->table && p->frame &&
	       CHECK_OK(mica_frame_map(p->frame, SLOT_INIT_VSPACE, KT_TEST_VA, rights));
}

cptr_t kt_space_with_tables(void)
{
	cptr_t vs = kt_new(OBJ_VSPACE, 0);
	if (!vs || !CHECK_OK(mica_asid_pool_assign(SLOT_INIT_ASID_POOL, vs, NULL)))
		return 0;
	for (unsigned level = 1; level <= 3; level++) {
		unsigned got = 0;
		cptr_t pt = kt_new(OBJ_PAGE_TABLE, 0);
		if (!pt || !CHECK_OK(mica_page_table_map(pt, vs, KT_SPACE_VA, &got)) ||
		    !CHECK_EQ(got, level))
			return 0;
	}
	return vs;
}
