/*
 * Address spaces (docs/kernel-api-vspace.md): what mappings do to a thread's
 * accesses (faults with address and access kind, rights, remapping, 2 MiB blocks, device
 * frames), that removing a mapping leaves nothing stale in the TLB, isolation between
 * VSpaces, what deleting a VSpace does to its threads, and a fault handler that maps memory
 * on demand. What the kernel reports is in t_vspace_info.c, the error codes in
 * t_vspace_errors.c.
 *
 * Accesses that may fault are made by a helper thread with a fault endpoint (kt_probe); the
 * root first touches the page itself where a test is about stale TLB entries, so the TLB
 * holds the translation when the kernel removes it (the helper runs in the same address
 * space and ASID: no TTBR0 write comes between).
 */
#include "kt_as.h"
#include "ktest.h"

#define PL011_PERIPH_ID0 0xfe0 /* reads 0x11 on a PL011 */

/* Unmapping a page the root had touched: a read of it faults, naming address and READ. */
static void unmapped_page_read_faults_at_address(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	volatile uint64_t *word = (volatile uint64_t *)(KT_TEST_VA + 8);
	REQUIRE(kt_map_test_page(KT_RW, &p));
	*word = 0x5eed;
	CHECK_EQ(*word, 0x5eed);
	REQUIRE_OK(mica_frame_unmap(p.frame));
	CHECK_EQ(kt_probe(kt_probe_load, KT_TEST_VA + 8, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA + 8, kt_fault_load_insn, FAULT_ACCESS_READ,
		       FSC_TRANSLATION(3));
	CHECK_EQ(m.mr[3] & ESR_WNR, 0);
	CHECK_EQ(kt_probed.done, 0);
}

/* Unmapping a page the root had written: a write to it faults, naming address and WRITE. */
static void unmapped_page_write_faults_at_address(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	volatile uint64_t *word = (volatile uint64_t *)(KT_TEST_VA + 0x7f8);
	REQUIRE(kt_map_test_page(KT_RW, &p));
	*word = 0x5eed;
	REQUIRE_OK(mica_frame_unmap(p.frame));
	CHECK_EQ(kt_probe(kt_probe_store, KT_TEST_VA + 0x7f8, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA + 0x7f8, kt_fault_store_insn, FAULT_ACCESS_WRITE,
		       FSC_TRANSLATION(3));
	CHECK_EQ(m.mr[3] & ESR_WNR, ESR_WNR);
	CHECK_EQ(kt_probed.done, 0);
}

/* A read-only page reads (a fresh frame reads 0); a write to it is a permission fault. */
static void read_only_page_write_is_permission_fault(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	REQUIRE(kt_map_test_page(RIGHT_READ, &p));
	CHECK_EQ(kt_probe(kt_probe_load, KT_TEST_VA + 16, NULL, &m), 0);
	CHECK_EQ(kt_probed.done, 1);
	CHECK_EQ(kt_probed.result, 0);
	CHECK_EQ(kt_probe(kt_probe_store, KT_TEST_VA + 16, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA + 16, kt_fault_store_insn, FAULT_ACCESS_WRITE,
		       FSC_PERMISSION(3));
	CHECK_EQ(m.mr[3] & ESR_WNR, ESR_WNR);
	CHECK_EQ(*(volatile uint64_t *)(KT_TEST_VA + 16), 0);
}

/* Jumping into a mapped page without execute: an instruction abort (permission, EXEC). */
static void fetch_from_non_executable_page_is_instruction_abort(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	CHECK_EQ(kt_probe(kt_probe_jump, KT_TEST_VA + 0x40, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA + 0x40, KT_TEST_VA + 0x40, FAULT_ACCESS_EXEC,
		       FSC_PERMISSION(3));
}

/* FRAME_REMAP from R to R+W: a write that faulted now works (one TLB invalidation by VA). */
static void remap_adds_write(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	REQUIRE(kt_map_test_page(RIGHT_READ, &p));
	CHECK_EQ(kt_probe(kt_probe_store, KT_TEST_VA, NULL, &m), FAULT_LABEL(FAULT_VM));
	uint64_t before = kt_kstat(KSTAT_TLBI_VA);
	REQUIRE_OK(mica_frame_remap(p.frame, KT_RW));
	CHECK_EQ(kt_kstat(KSTAT_TLBI_VA) - before, 1);
	CHECK_EQ(kt_probe(kt_probe_store, KT_TEST_VA, NULL, &m), 0);
	CHECK_EQ(kt_probed.done, 1);
	CHECK_EQ(*(volatile uint64_t *)KT_TEST_VA, KT_PROBE_VALUE);
}

/* FRAME_REMAP from R+W to R after the root wrote the page: a write faults, reads still work. */
static void remap_removes_write(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	*(volatile uint64_t *)KT_TEST_VA = 77;
	uint64_t before = kt_kstat(KSTAT_TLBI_VA);
	REQUIRE_OK(mica_frame_remap(p.frame, RIGHT_READ));
	CHECK_EQ(kt_kstat(KSTAT_TLBI_VA) - before, 1);
	CHECK_EQ(kt_probe(kt_probe_store, KT_TEST_VA, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA, kt_fault_store_insn, FAULT_ACCESS_WRITE, FSC_PERMISSION(3));
	CHECK_EQ(kt_probe(kt_probe_load, KT_TEST_VA, NULL, &m), 0);
	CHECK_EQ(kt_probed.result, 77);
}

/* Deleting the frame capability of a page the root had touched: one invalidation by VA,
 * and the next access faults (no stale TLB entry). */
static void frame_delete_makes_next_access_fault(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	*(volatile uint64_t *)KT_TEST_VA = 1;
	CHECK_EQ(*(volatile uint64_t *)KT_TEST_VA, 1);
	uint64_t before = kt_kstat(KSTAT_TLBI_VA);
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, p.frame));
	CHECK_EQ(kt_kstat(KSTAT_TLBI_VA) - before, 1);
	CHECK(!kt_root_maps(KT_TEST_VA));
	CHECK_EQ(kt_probe(kt_probe_load, KT_TEST_VA, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA, kt_fault_load_insn, FAULT_ACCESS_READ, FSC_TRANSLATION(3));
}

/* Deleting a page-table capability: one invalidation by ASID, and every page of its range
 * faults (at level 2: the L2 entry is empty again). */
static void page_table_delete_makes_range_fault(void)
{
	struct kt_test_page p;
	struct mica_msg m;
	uint64_t last = KT_TEST_VA + KT_BLOCK - KT_PAGE;
	cptr_t f2 = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_page(KT_RW, &p) && f2);
	REQUIRE_OK(mica_frame_map(f2, SLOT_INIT_VSPACE, last, KT_RW));
	*(volatile uint64_t *)KT_TEST_VA = 1;
	*(volatile uint64_t *)last = 2;
	uint64_t before = kt_kstat(KSTAT_TLBI_ASID);
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, p.table));
	CHECK_EQ(kt_kstat(KSTAT_TLBI_ASID) - before, 1);
	CHECK_EQ(kt_probe(kt_probe_load, KT_TEST_VA, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, KT_TEST_VA, kt_fault_load_insn, FAULT_ACCESS_READ, FSC_TRANSLATION(2));
	CHECK_EQ(kt_probe(kt_probe_store, last, NULL, &m), FAULT_LABEL(FAULT_VM));
	CHECK_VM_FAULT(&m, last, kt_fault_store_insn, FAULT_ACCESS_WRITE, FSC_TRANSLATION(2));
}

/* A 2 MiB frame maps as one L2 block: its first and last words are the frame's, the walk
 * and FRAME_GET_ADDRESS report size 2^21, and it counts 512 pages. */
static void frame_2m_maps_as_block(void)
{
	struct mica_vspace_info before;
	struct mica_frame_info fi;
	struct mica_mapping map;
	unsigned n = 0;
	uint64_t next = 1;
	cptr_t big = kt_big_untyped(22);
	cptr_t f = big ? kt_new_in(big, OBJ_FRAME_2M, 0) : 0;
	REQUIRE(f);
	REQUIRE_OK(mica_vspace_info(SLOT_INIT_VSPACE, &before));
	REQUIRE_OK(mica_frame_map(f, SLOT_INIT_VSPACE, KT_BLOCK_VA, KT_RW));
	volatile uint64_t *first = (volatile uint64_t *)KT_BLOCK_VA;
	volatile uint64_t *last = (volatile uint64_t *)(KT_BLOCK_VA + KT_BLOCK - 8);
	*first = 0xf1257;
	*last = 0x1a57;
	CHECK_EQ(*first, 0xf1257);
	CHECK_EQ(*last, 0x1a57);
	REQUIRE_OK(mica_frame_get_address(f, &fi));
	CHECK_EQ(fi.paddr, kt_identify(f).paddr);
	CHECK_EQ(fi.size_bits, 21);
	CHECK_EQ(fi.mapped_vaddr, KT_BLOCK_VA);
	CHECK_EQ(fi.mapped_asid, 1);
	REQUIRE_OK(mica_vspace_walk(SLOT_INIT_VSPACE, KT_BLOCK_VA, &map, 1, &n, &next));
	CHECK_EQ(n, 1);
	CHECK_EQ(map.vaddr, KT_BLOCK_VA);
	CHECK_EQ(map.paddr, fi.paddr);
	CHECK_EQ(map.size_bits, 21);
	CHECK_EQ(map.rights, KT_RW);
	CHECK_INFO(SLOT_INIT_VSPACE, before.table_pages, before.mapped_pages + 512);
}

/*
 * A device frame at physical address `paddr`, from the device untyped that covers it (with
 * untypeds retyped below it first if it does not start there). Returns its slot, or 0.
 */
static cptr_t device_frame(uint64_t paddr)
{
	const struct bootinfo *bi = kt_bootinfo;
	for (uint64_t i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
		const struct untyped_desc *u = &bi->untyped_list[i];
		cptr_t ut = bi->untyped.start + i;
		if (!u->is_device || paddr < u->paddr || paddr - u->paddr >= 1ull << u->size_bits)
			continue;
		/* Largest first, each lands aligned at the watermark: the frame comes next. */
		uint64_t gap = paddr - u->paddr;
		for (unsigned b = 47; b >= 12; b--) {
			if ((gap & (1ull << b)) && !kt_new_in(ut, OBJ_UNTYPED, b))
				return 0;
		}
		return kt_new_in(ut, OBJ_FRAME_4K, 0);
	}
	CHECK(!"a device untyped covers the address");
	return 0;
}

/* A device frame of the console UART maps R+W; its PL011 peripheral ID register reads 0x11. */
static void device_frame_reads_pl011_id(void)
{
	REQUIRE(kt_map_test_table());
	cptr_t uart = device_frame(kt_bootinfo->uart_paddr);
	REQUIRE(uart);
	CHECK_EQ(kt_identify(uart).paddr, kt_bootinfo->uart_paddr);
	REQUIRE_OK(mica_frame_map(uart, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW));
	CHECK_EQ(*(volatile uint32_t *)(KT_TEST_VA + PL011_PERIPH_ID0), 0x11);
}

/* A device frame is never executable: R+X is E_RIGHTS. */
static void device_frame_exec_is_rights(void)
{
	REQUIRE(kt_map_test_table());
	cptr_t uart = device_frame(kt_bootinfo->uart_paddr);
	REQUIRE(uart);
	CHECK_ERR(mica_frame_map(uart, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RX), E_RIGHTS);
	CHECK(!kt_root_maps(KT_TEST_VA));
}

#define SPACE_VALUE(i) (0x5ace0000ull + (i))

static volatile uint64_t seen[2];

/* In its own space: writes its value at KT_AS_PAGE, lets the other space run, reads back. */
static void write_yield_read(uint64_t i)
{
	volatile uint64_t *word = (volatile uint64_t *)KT_AS_PAGE;
	*word = SPACE_VALUE(i);
	kt_log((char)('a' + i));
	mica_yield();
	seen[i] = *word;
	kt_log((char)('A' + i));
}

/* Two address spaces, one virtual address: each keeps its own data while the other writes. */
static void two_spaces_same_va_hold_different_data(void)
{
	struct kt_as as[2];
	struct kt_thread t[2];
	for (unsigned i = 0; i < 2; i++) {
		struct kt_thread_opts o = { .prio = 100, .as = &as[i] };
		seen[i] = 0;
		REQUIRE_OK(kt_as_new(&as[i], 0, SLOT_INIT_ASID_POOL));
		REQUIRE_OK(kt_thread_new(&t[i], &o));
		REQUIRE_OK(kt_thread_start(&t[i], write_yield_read, i));
	}
	kt_settle();
	CHECK_STR(kt_log_text(), "abAB");
	REQUIRE(kt_map_test_table());
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(seen[i], SPACE_VALUE(i));
		REQUIRE_OK(mica_frame_map(kt_copy(as[i].page, RIGHTS_ALL), SLOT_INIT_VSPACE,
					  KT_TEST_VA + i * KT_PAGE, RIGHT_READ));
		CHECK_EQ(*(volatile uint64_t *)(KT_TEST_VA + i * KT_PAGE), SPACE_VALUE(i));
	}
}

/* PAGE_TABLE_MAP installs a table at the first empty entry on the walk to the address. */
static void page_table_map_installs_first_empty_level(void)
{
	cptr_t vs = kt_space_with_tables(); /* L1, L2, L3 for KT_SPACE_VA, in that order */
	REQUIRE(vs);
	unsigned level = 0;
	cptr_t l3 = kt_new(OBJ_PAGE_TABLE, 0), l2 = kt_new(OBJ_PAGE_TABLE, 0);
	REQUIRE(l3 && l2);
	CHECK_OK(mica_page_table_map(l3, vs, KT_SPACE_VA + KT_BLOCK, &level));
	CHECK_EQ(level, 3);
	CHECK_OK(mica_page_table_map(l2, vs, KT_SPACE_VA + (1ull << 30), &level));
	CHECK_EQ(level, 2);
	CHECK_INFO(vs, 5, 0);
}

/* A copy of a frame capability maps the same frame at a second address. */
static void frame_copy_maps_same_frame_again(void)
{
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	cptr_t copy = kt_copy(p.frame, RIGHTS_ALL);
	REQUIRE(copy);
	REQUIRE_OK(mica_frame_map(copy, SLOT_INIT_VSPACE, KT_TEST_VA + KT_PAGE, RIGHT_READ));
	*(volatile uint64_t *)(KT_TEST_VA + 24) = 0xc0b1;
	CHECK_EQ(*(volatile uint64_t *)(KT_TEST_VA + KT_PAGE + 24), 0xc0b1);
}

/*
 * Unmapping a page table takes the mappings below it away: the frame reads as unmapped
 * (FRAME_GET_ADDRESS ASID 0) and can be mapped again at once.
 */
static void page_table_unmap_unmaps_frames_below(void)
{
	struct mica_frame_info fi;
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	REQUIRE_OK(mica_page_table_unmap(p.table));
	CHECK(!kt_root_maps(KT_TEST_VA));
	REQUIRE_OK(mica_frame_get_address(p.frame, &fi));
	CHECK_EQ(fi.mapped_asid, 0);
	CHECK_EQ(fi.mapped_vaddr, 0);
	REQUIRE_OK(mica_page_table_map(p.table, SLOT_INIT_VSPACE, KT_TEST_VA, NULL));
	CHECK_OK(mica_frame_map(p.frame, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW));
}

/* Deleting a VSpace takes its mappings away: a frame that was mapped in it reads as
 * unmapped (FRAME_GET_ADDRESS ASID 0) and can be mapped elsewhere at once. */
static void deleted_vspace_unmaps_its_frames(void)
{
	struct mica_frame_info fi;
	cptr_t vs = kt_space_with_tables(), f = kt_new(OBJ_FRAME_4K, 0);
	REQUIRE(kt_map_test_table() && vs && f);
	REQUIRE_OK(mica_frame_map(f, vs, KT_SPACE_VA, KT_RW));
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, vs));
	REQUIRE_OK(mica_frame_get_address(f, &fi));
	CHECK_EQ(fi.mapped_asid, 0);
	CHECK_EQ(fi.mapped_vaddr, 0);
	CHECK_OK(mica_frame_map(f, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW));
}

static volatile uint64_t spins;

static void spin_yield(uint64_t arg)
{
	(void)arg;
	for (;;) {
		spins++;
		mica_yield();
	}
}

/*
 * Starts spin_yield in `as` at priority 100, lowers the root to 100 and lets it spin twice.
 * Returns false (failure recorded) if it did not.
 */
static bool start_spinner(const struct kt_as *as, struct kt_thread *t)
{
	struct kt_thread_opts o = { .prio = 100, .as = as };
	spins = 0;
	if (kt_thread_new(t, &o) || kt_thread_start(t, spin_yield, 0) ||
	    !CHECK_OK(mica_tcb_set_priority(SLOT_INIT_TCB, 100, PRIO_MAX)))
		return false;
	mica_yield();
	mica_yield();
	return CHECK_EQ(spins, 2);
}

/* Deleting a VSpace (every capability to it) stops the threads in it for good, and drops
 * its hardware ASID's TLB entries (one invalidation by ASID; none if a rollover has taken
 * the ASID already, which only a narrowed ASID width makes happen here). */
static void deleted_vspace_threads_cannot_run(void)
{
	struct mica_vspace_info info;
	struct kt_thread t;
	struct kt_as as;
	REQUIRE_OK(kt_as_new(&as, 0, SLOT_INIT_ASID_POOL));
	REQUIRE(start_spinner(&as, &t));
	REQUIRE_OK(mica_vspace_info(as.vspace, &info));
	uint64_t before = kt_kstat(KSTAT_TLBI_ASID);
	REQUIRE_OK(mica_cnode_revoke(SLOT_INIT_CNODE, as.vspace)); /* the thread's copy */
	REQUIRE_OK(mica_cnode_delete(SLOT_INIT_CNODE, as.vspace));
	CHECK_EQ(kt_kstat(KSTAT_TLBI_ASID) - before, info.hw_asid != 0);
	mica_yield();
	mica_yield();
	CHECK_EQ(spins, 2);
	CHECK_ERR(mica_tcb_resume(t.tcb), E_STATE);
	mica_yield();
	CHECK_EQ(spins, 2);
}

#define DEMAND_VA       0x10000000ull
#define DEMAND_PAGES    1000
#define DEMAND_TABLES   2 /* L3 tables for 1000 pages from a 2 MiB boundary */
#define DEMAND_WORD(i)  (DEMAND_VA + (i)*KT_PAGE + ((i) % 512) * 8)
#define DEMAND_VALUE(i) (0xd0d0000000000000ull | (i))

static volatile struct {
	uint64_t done;  /* the faulter got to the end */
	uint64_t wrong; /* words that read back wrong */
} demand;

/* The faulter: writes a distinct word into each of n pages that are not there yet (each
 * write faults once), then reads every one back. */
static void demand_touch(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		*(volatile uint64_t *)DEMAND_WORD(i) = DEMAND_VALUE(i);
	for (uint64_t i = 0; i < n; i++) {
		if (*(volatile uint64_t *)DEMAND_WORD(i) != DEMAND_VALUE(i))
			demand.wrong++;
	}
	demand.done = 1;
}

/* The handler's work: a fresh frame from `untyped` mapped R+W at `page` of `as`, with a
 * fresh L3 table first if the kernel says one is missing (counted in *tables). */
static int map_on_demand(const struct kt_as *as, cptr_t untyped, uint64_t page, unsigned *tables)
{
	cptr_t f = kt_new_in(untyped, OBJ_FRAME_4K, 0);
	if (!f)
		return E_NOMEM;
	int err = mica_frame_map(f, as->vspace, page, KT_RW);
	if (err == E_NOTABLE) {
		cptr_t pt = kt_new_in(untyped, OBJ_PAGE_TABLE, 0);
		unsigned level = 0;
		if (!pt || !CHECK_OK(mica_page_table_map(pt, as->vspace, page, &level)) ||
		    !CHECK_EQ(level, 3))
			return E_NOTABLE;
		(*tables)++;
		err = mica_frame_map(f, as->vspace, page, KT_RW);
	}
	CHECK_OK(err);
	return err;
}

/*
 * The root as the pager of another space: each of 1,000 first writes faults with its exact
 * address, the root maps a frame there and replies, the write completes; every page then
 * reads back its own value.
 */
static void fault_handler_maps_1000_pages_on_demand(void)
{
	struct mica_vspace_info before, after;
	struct kt_thread t;
	struct kt_as as;
	cptr_t big = kt_big_untyped(23);
	cptr_t ep = kt_new(OBJ_ENDPOINT, 0);
	REQUIRE(big && ep);
	REQUIRE_OK(kt_as_new(&as, big, SLOT_INIT_ASID_POOL));
	REQUIRE_OK(mica_vspace_info(as.vspace, &before));
	struct kt_thread_opts o = { .prio = 100, .fault_ep = ep, .as = &as, .untyped = big };
	demand.done = 0;
	demand.wrong = 0;
	REQUIRE_OK(kt_thread_new(&t, &o));
	REQUIRE_OK(kt_thread_start(&t, demand_touch, DEMAND_PAGES));
	unsigned handled = 0, tables = 0;
	for (uint64_t i = 0; i < DEMAND_PAGES; i++, handled++) {
		struct mica_msg m, reply = kt_msg(0, 0, NULL);
		kt_settle(); /* the faulter runs until its next fault */
		if (!CHECK_OK(mica_msg_error(mica_nbrecv(ep, &m, NULL))) ||
		    !CHECK_EQ(m.label, FAULT_LABEL(FAULT_VM)) ||
		    !CHECK_EQ(m.mr[0], DEMAND_WORD(i)) || !CHECK_EQ(m.mr[2], FAULT_ACCESS_WRITE) ||
		    map_on_demand(&as, big, m.mr[0] & ~(KT_PAGE - 1), &tables) ||
		    !CHECK_OK(mica_reply(&reply)))
			break;
	}
	kt_settle();
	CHECK_EQ(handled, DEMAND_PAGES);
	CHECK_EQ(tables, DEMAND_TABLES);
	CHECK_EQ(demand.done, 1);
	CHECK_EQ(demand.wrong, 0);
	REQUIRE_OK(mica_vspace_info(as.vspace, &after));
	CHECK_EQ(after.table_pages - before.table_pages, DEMAND_TABLES);
	CHECK_EQ(after.mapped_pages - before.mapped_pages, DEMAND_PAGES);
}

#define ZERO_PATTERN 0xa5a5a5a5a5a5a5a5ull

/* Fills the page at KT_TEST_VA with ZERO_PATTERN. */
static void fill_test_page(void)
{
	for (uint64_t *w = (uint64_t *)KT_TEST_VA; w < (uint64_t *)(KT_TEST_VA + KT_PAGE); w++)
		*w = ZERO_PATTERN;
}

/* The number of words of the page at KT_TEST_VA that hold `value`. */
static unsigned test_page_words(uint64_t value)
{
	unsigned n = 0;
	for (volatile uint64_t *w = (uint64_t *)KT_TEST_VA; w < (uint64_t *)(KT_TEST_VA + KT_PAGE);
	     w++)
		n += *w == value;
	return n;
}

/* FRAME_ZERO on a mapped frame: every word reads zero through the mapping at once. */
static void frame_zero_clears_mapped_frame(void)
{
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	fill_test_page();
	REQUIRE_OK(mica_frame_zero(p.frame));
	CHECK_EQ(test_page_words(0), KT_PAGE / 8);
}

/* FRAME_ZERO on an unmapped dirty frame: mapped again, it reads zero (how memsrv reuses). */
static void frame_zero_clears_unmapped_frame(void)
{
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	fill_test_page();
	REQUIRE_OK(mica_frame_unmap(p.frame));
	REQUIRE_OK(mica_frame_zero(p.frame));
	REQUIRE_OK(mica_frame_map(p.frame, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW));
	CHECK_EQ(test_page_words(0), KT_PAGE / 8);
}

/* FRAME_ZERO through a capability without the write right: E_RIGHTS, contents unchanged. */
static void frame_zero_read_only_cap_is_rights(void)
{
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	fill_test_page();
	cptr_t ro = kt_copy(p.frame, RIGHT_READ);
	REQUIRE(ro);
	CHECK_ERR(mica_frame_zero(ro), E_RIGHTS);
	CHECK_EQ(test_page_words(ZERO_PATTERN), KT_PAGE / 8);
}

/* FRAME_ZERO of a device frame (the UART's registers): E_TYPE. */
static void frame_zero_device_frame_is_type(void)
{
	cptr_t uart = device_frame(kt_bootinfo->uart_paddr);
	REQUIRE(uart);
	CHECK_ERR(mica_frame_zero(uart), E_TYPE);
}

/* FRAME_MAP with FRAME_MAP_ZERO: a dirty frame is mapped reading zero (how memsrv maps a
 * reused frame on a fault, one invocation instead of FRAME_ZERO + FRAME_MAP). */
static void frame_map_zero_maps_zeroed_frame(void)
{
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	fill_test_page();
	REQUIRE_OK(mica_frame_unmap(p.frame));
	REQUIRE_OK(mica_frame_map(p.frame, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW | FRAME_MAP_ZERO));
	CHECK_EQ(test_page_words(0), KT_PAGE / 8);
}

/* FRAME_MAP_ZERO refused (read-only capability: E_RIGHTS; a failing map: E_MAPPED) leaves
 * the frame's contents as they were: nothing is zeroed before every check passed. */
static void frame_map_zero_refused_zeroes_nothing(void)
{
	struct kt_test_page p;
	REQUIRE(kt_map_test_page(KT_RW, &p));
	fill_test_page();
	cptr_t ro = kt_copy(p.frame, RIGHT_READ);
	REQUIRE(ro);
	CHECK_ERR(
	    mica_frame_map(ro, SLOT_INIT_VSPACE, KT_TEST_VA + KT_PAGE, RIGHT_READ | FRAME_MAP_ZERO),
	    E_RIGHTS);
	CHECK_ERR(
	    mica_frame_map(p.frame, SLOT_INIT_VSPACE, KT_TEST_VA + KT_PAGE, KT_RW | FRAME_MAP_ZERO),
	    E_MAPPED);
	CHECK_EQ(test_page_words(ZERO_PATTERN), KT_PAGE / 8);
}

/* FRAME_MAP_ZERO of a device frame (the UART's registers): E_TYPE. */
static void frame_map_zero_device_frame_is_type(void)
{
	cptr_t uart = device_frame(kt_bootinfo->uart_paddr);
	REQUIRE(uart);
	CHECK_ERR(mica_frame_map(uart, SLOT_INIT_VSPACE, KT_TEST_VA, KT_RW | FRAME_MAP_ZERO),
		  E_TYPE);
}

static const struct ktest tests[] = {
	{ "vspace_unmapped_page_read_faults_at_address", unmapped_page_read_faults_at_address },
	{ "vspace_unmapped_page_write_faults_at_address", unmapped_page_write_faults_at_address },
	{ "vspace_read_only_page_write_is_permission_fault",
	  read_only_page_write_is_permission_fault },
	{ "vspace_fetch_from_non_executable_page_is_instruction_abort",
	  fetch_from_non_executable_page_is_instruction_abort },
	{ "vspace_remap_adds_write", remap_adds_write },
	{ "vspace_remap_removes_write", remap_removes_write },
	{ "vspace_frame_delete_makes_next_access_fault", frame_delete_makes_next_access_fault },
	{ "vspace_page_table_delete_makes_range_fault", page_table_delete_makes_range_fault },
	{ "vspace_frame_2m_maps_as_block", frame_2m_maps_as_block },
	{ "vspace_device_frame_reads_pl011_id", device_frame_reads_pl011_id },
	{ "vspace_device_frame_exec_is_rights", device_frame_exec_is_rights },
	{ "vspace_two_spaces_same_va_hold_different_data", two_spaces_same_va_hold_different_data },
	{ "vspace_page_table_map_installs_first_empty_level",
	  page_table_map_installs_first_empty_level },
	{ "vspace_frame_copy_maps_same_frame_again", frame_copy_maps_same_frame_again },
	{ "vspace_page_table_unmap_unmaps_frames_below", page_table_unmap_unmaps_frames_below },
	{ "vspace_deleted_vspace_unmaps_its_frames", deleted_vspace_unmaps_its_frames },
	{ "vspace_deleted_vspace_threads_cannot_run", deleted_vspace_threads_cannot_run },
	{ "vspace_fault_handler_maps_1000_pages_on_demand",
	  fault_handler_maps_1000_pages_on_demand },
	{ "vspace_frame_zero_clears_mapped_frame", frame_zero_clears_mapped_frame },
	{ "vspace_frame_zero_clears_unmapped_frame", frame_zero_clears_unmapped_frame },
	{ "vspace_frame_zero_read_only_cap_is_rights", frame_zero_read_only_cap_is_rights },
	{ "vspace_frame_zero_device_frame_is_type", frame_zero_device_frame_is_type },
	{ "vspace_frame_map_zero_maps_zeroed_frame", frame_map_zero_maps_zeroed_frame },
	{ "vspace_frame_map_zero_refused_zeroes_nothing", frame_map_zero_refused_zeroes_nothing },
	{ "vspace_frame_map_zero_device_frame_is_type", frame_map_zero_device_frame_is_type },
};

const struct ktest_suite kt_suite_vspace = KT_SUITE(tests);
