/* memsrv's table memory (meta.h): frames mapped one after another from META_BASE up. */
#include "meta.h"

#include <mica/errors.h>
#include <mica/objects.h>
#include <mica_invoke.h>
#include <stddef.h>

#include "alloc.h"

#define PAGE 4096ull

static uint64_t next_va = META_BASE;
static uint64_t pages;

/* Installs the page tables missing on the walk to va in memsrv's VSpace. */
static int tables_for(uint64_t va)
{
	for (;;) {
		cptr_t t;
		unsigned level;
		int err = alloc_retype(OBJ_PAGE_TABLE, 0, &t);
		if (err)
			return err;
		err = mica_page_table_map(t, SLOT_INIT_VSPACE, va, &level);
		if (err) {
			mica_cnode_delete(SLOT_INIT_CNODE, t);
			alloc_slot_free(t);
			return err == E_DELETE_FIRST ? E_OK : err; /* the walk is complete */
		}
		pages++;
		if (level == 3)
			return E_OK;
	}
}

/* Maps one fresh (zeroed) frame at va. */
static int map_page(uint64_t va)
{
	cptr_t f;
	int err = alloc_retype(OBJ_FRAME_4K, 0, &f);
	if (err)
		return err;
	err = mica_frame_map(f, SLOT_INIT_VSPACE, va, RIGHT_READ | RIGHT_WRITE);
	if (err == E_NOTABLE) {
		err = tables_for(va);
		if (!err)
			err = mica_frame_map(f, SLOT_INIT_VSPACE, va, RIGHT_READ | RIGHT_WRITE);
	}
	if (err) {
		mica_cnode_delete(SLOT_INIT_CNODE, f);
		alloc_slot_free(f);
		return err;
	}
	pages++;
	return E_OK;
}

void *meta_alloc(uint64_t bytes)
{
	uint64_t start = next_va, end = start + ((bytes + PAGE - 1) & ~(PAGE - 1));
	/* Invariant: [start, next_va) is mapped. */
	while (next_va < end) {
		if (map_page(next_va))
			return NULL;
		next_va += PAGE;
	}
	return (void *)(uintptr_t)start;
}

uint64_t meta_pages(void)
{
	return pages;
}
