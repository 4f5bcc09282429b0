/* Cells of untyped memory for objects memsrv destroys and makes again (cells.h). */
#include "cells.h"

#include <mica/errors.h>
#include <mica/objects.h>
#include <mica_invoke.h>

#include "alloc.h"

#define OBJ_CELL_BITS   6  /* one endpoint (32 bytes) or notification (64) */
#define BLOCK_BITS      12 /* object cells are carved from 4 KiB untyped blocks */
#define CELLS_PER_BLOCK (1u << (BLOCK_BITS - OBJ_CELL_BITS))
#define OBJ_CELLS_MAX   8192
#define TCB_CELLS_MAX   4096

static cptr_t free_objects[OBJ_CELLS_MAX];
static unsigned free_object_count, objects_made;
static cptr_t block; /* the block new object cells come from */
static unsigned block_used;

static struct {
	cptr_t tcb, cell;
} free_tcbs[TCB_CELLS_MAX];
static unsigned free_tcb_count, tcbs_made;

/* A new object cell from the current block (a new block when it is used up). */
static int new_object_cell(cptr_t *out)
{
	if (objects_made == OBJ_CELLS_MAX)
		return E_NOMEM;
	if (!block || block_used == CELLS_PER_BLOCK) {
		cptr_t b;
		int err = alloc_retype(OBJ_UNTYPED, BLOCK_BITS, &b);
		if (err)
			return err;
		block = b;
		block_used = 0;
	}
	cptr_t slot = alloc_slot();
	if (!slot)
		return E_NOMEM;
	int err = mica_untyped_retype(block, OBJ_UNTYPED, OBJ_CELL_BITS, SLOT_INIT_CNODE, slot, 1);
	if (err) {
		alloc_slot_free(slot);
		return err;
	}
	block_used++;
	objects_made++;
	*out = slot;
	return E_OK;
}

int cell_object_get(cptr_t *out)
{
	if (free_object_count) {
		*out = free_objects[--free_object_count];
		return E_OK;
	}
	return new_object_cell(out);
}

void cell_object_put(cptr_t cell)
{
	mica_cnode_revoke(SLOT_INIT_CNODE, cell);
	free_objects[free_object_count++] = cell; /* at most objects_made <= OBJ_CELLS_MAX */
}

unsigned cell_objects_in_use(void)
{
	return objects_made - free_object_count;
}

/* Keeps a TCB slot and its (empty) cell for reuse. */
static void keep_tcb(cptr_t tcb, cptr_t cell)
{
	free_tcbs[free_tcb_count].tcb = tcb; /* at most tcbs_made <= TCB_CELLS_MAX */
	free_tcbs[free_tcb_count++].cell = cell;
}

int cell_tcb_get(cptr_t *tcb, cptr_t *cell)
{
	cptr_t c, t;
	int err;
	if (free_tcb_count) {
		free_tcb_count--;
		t = free_tcbs[free_tcb_count].tcb;
		c = free_tcbs[free_tcb_count].cell;
	} else {
		if (tcbs_made == TCB_CELLS_MAX || !(t = alloc_slot()))
			return E_NOMEM;
		err = alloc_retype(OBJ_UNTYPED, TCB_SIZE_BITS, &c);
		if (err) {
			alloc_slot_free(t);
			return err;
		}
		tcbs_made++;
	}
	err = mica_untyped_retype(c, OBJ_TCB, 0, SLOT_INIT_CNODE, t, 1);
	if (err) {
		keep_tcb(t, c);
		return err;
	}
	*tcb = t;
	*cell = c;
	return E_OK;
}

void cell_tcb_put(cptr_t tcb, cptr_t cell)
{
	mica_cnode_revoke(SLOT_INIT_CNODE, cell); /* the TCB was its only child */
	keep_tcb(tcb, cell);
}
