#include "cpu.h"

#include <arch/sysreg.h>
#include <stddef.h>

#include "console.h"

#define IMPL_ARM 0x41
/* MSR PAN, #1 (ARMv8.1), spelled as its encoding so the kernel assembles for ARMv8.0. */
#define MSR_PAN_1 ".inst 0xd500419f"

struct part_name {
	unsigned part;
	const char *name;
};

static const struct part_name arm_parts[] = {
	{ 0xd03, "Cortex-A53" },  { 0xd04, "Cortex-A35" },  { 0xd05, "Cortex-A55" },
	{ 0xd07, "Cortex-A57" },  { 0xd08, "Cortex-A72" },  { 0xd09, "Cortex-A73" },
	{ 0xd0a, "Cortex-A75" },  { 0xd0b, "Cortex-A76" },  { 0xd0c, "Neoverse-N1" },
	{ 0xd40, "Neoverse-V1" }, { 0xd49, "Neoverse-N2" },
};

static const char *part_name(unsigned implementer, unsigned part)
{
	if (implementer != IMPL_ARM)
		return NULL;
	for (size_t i = 0; i < sizeof(arm_parts) / sizeof(arm_parts[0]); i++) {
		if (arm_parts[i].part == part)
			return arm_parts[i].name;
	}
	return NULL;
}

void cpu_print_info(const char *dt_compatible)
{
	uint64_t midr = read_sysreg(midr_el1);
	const char *name = part_name(MIDR_IMPLEMENTER(midr), MIDR_PARTNUM(midr));
	kprintf("cpu: %s r%lup%lu (MIDR %#lx, implementer %#lx part %#lx), dt \"%s\"\n",
		name ? name : "unknown model", MIDR_VARIANT(midr), MIDR_REVISION(midr), midr,
		MIDR_IMPLEMENTER(midr), MIDR_PARTNUM(midr), dt_compatible);
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	static const unsigned pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned parange = MMFR0_PARANGE(mmfr0);
	kprintf("cpu: %u-bit physical addresses, %u-bit ASIDs\n",
		parange < 7 ? pa_bits[parange] : 0, cpu_asid_bits());
}

bool cpu_enable_pan(void)
{
	if (MMFR1_PAN(read_sysreg(id_aa64mmfr1_el1)) == 0)
		return false;
	/* SPAN = 0: every exception into EL1 sets PSTATE.PAN again. */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_SPAN);
	__asm__ volatile(MSR_PAN_1 ::: "memory");
	isb();
	return true;
}

unsigned cpu_asid_bits(void)
{
	return MMFR0_ASIDBITS(read_sysreg(id_aa64mmfr0_el1)) == 2 ? 16 : 8;
}
