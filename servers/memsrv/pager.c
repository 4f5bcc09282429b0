/*
 * Fault handling. The classification is the VMA layer's (vma_classify); this file only maps
 * the kernel's fault message onto it and acts: fill and resume, or end the process.
 */
#include "pager.h"

#include <mica/errors.h>
#include <mica/fault.h>
#include <mica/memsrv.h>
#include <stdio.h>

#include "process.h"

#define PAGE_MASK (~(PAGE_SIZE - 1))

unsigned pager_stat_index(enum fault_class fc)
{
	static const unsigned index[FC_COUNT] = {
		[FC_LAZY] = MEMSRV_STAT_FAULTS_LAZY,
		[FC_GUARD] = MEMSRV_STAT_FAULTS_GUARD,
		[FC_UNMAPPED] = MEMSRV_STAT_FAULTS_UNMAPPED,
		[FC_PERMISSION] = MEMSRV_STAT_FAULTS_PERMISSION,
		[FC_QUOTA] = MEMSRV_STAT_FAULTS_QUOTA,
		[FC_OTHER] = MEMSRV_STAT_FAULTS_OTHER,
	};
	return index[fc];
}

static const char *const class_names[FC_COUNT] = {
	"lazy", "guard page", "unmapped", "permission", "quota", "other",
};

/* Ends the process for a fault of class fc at addr, recording both for MEMSRV_PROC_INFO. */
static bool kill(struct aspace *as, enum fault_class fc, uint64_t addr, uint64_t pc)
{
	as->faults[fc]++;
	printf("memsrv: %s (process %u) killed: %s fault at %#lx, pc %#lx\n", as->proc.name, as->id,
	       class_names[fc], (unsigned long)addr, (unsigned long)pc);
	process_end(as, MEMSRV_PS_KILLED, pager_stat_index(fc), 0);
	process_note_fault(as, addr, pc);
	return false;
}

/* The VMA access bits of a FAULT_ACCESS_* value, or 0 if it is none of them. */
static unsigned access_bits(uint64_t access)
{
	switch (access) {
	case FAULT_ACCESS_READ:
		return VMA_R;
	case FAULT_ACCESS_WRITE:
		return VMA_W;
	case FAULT_ACCESS_EXEC:
		return VMA_X;
	default:
		return 0;
	}
}

enum fault_class pager_resolve(struct aspace *as, uint64_t addr, uint64_t access)
{
	uint64_t va = addr & PAGE_MASK;
	unsigned bits = access_bits(access);
	const struct vma *v;
	if (!bits)
		return FC_OTHER;
	switch (vma_classify(&as->vmas, va, bits, &v)) {
	case VMA_FAULT_OK:
		break;
	case VMA_FAULT_GUARD:
		return FC_GUARD;
	case VMA_FAULT_RIGHTS:
		return FC_PERMISSION;
	default:
		return FC_UNMAPPED;
	}
	if (aspace_page(as, va)) {
		/* Resident with fewer rights than the VMA allows: bring the mapping up to date. */
		return aspace_refresh_page(as, va, v->rights) == E_OK ? FC_COUNT : FC_OTHER;
	}
	if (aspace_fill_page(as, v, va) != E_OK)
		return FC_QUOTA;
	as->faults[FC_LAZY]++;
	return FC_LAZY;
}

/* A translation or permission fault at mr[0] (pc mr[1], access mr[2]). */
static bool vm_fault(struct aspace *as, const uint64_t *mr)
{
	enum fault_class fc = pager_resolve(as, mr[0], mr[2]);
	return fc == FC_LAZY || fc == FC_COUNT || kill(as, fc, mr[0], mr[1]);
}

bool pager_fault(struct aspace *as, uint64_t label, const uint64_t *mr, unsigned length)
{
	if (label == FAULT_LABEL(FAULT_VM) && length >= 3)
		return vm_fault(as, mr);
	uint64_t pc = label == FAULT_LABEL(FAULT_UNDEFINED) || label == FAULT_LABEL(FAULT_OTHER)
			  ? mr[0]
			  : mr[1];
	return kill(as, FC_OTHER, mr[0], pc);
}
