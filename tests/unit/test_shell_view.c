/*
 * Host tests for how the shell shows memsrv's answers (servers/shell/view.c): maps lines,
 * names of kinds, rights and fault classes, and the logarithmic map bar.
 */
#include <mica/errors.h>
#include <mica/memsrv.h>

#include "check.h"
#include "view.h"

CHECK_DEFINE_GLOBALS;

static void test_perms_and_kinds(void)
{
	char p[4];
	view_perms(MEMSRV_PROT_R | MEMSRV_PROT_X, p);
	CHECK_STR(p, "r-x");
	view_perms(MEMSRV_PROT_R | MEMSRV_PROT_W, p);
	CHECK_STR(p, "rw-");
	view_perms(0, p);
	CHECK_STR(p, "---");
	CHECK_STR(view_kind(MEMSRV_KIND_ANON), "anon");
	CHECK_STR(view_kind(MEMSRV_KIND_DEVICE), "device");
	CHECK_STR(view_kind(99), "?");
}

static void test_fault_classes_have_names(void)
{
	CHECK_STR(view_fault_class(MEMSRV_STAT_FAULTS_UNMAPPED), "unmapped");
	CHECK_STR(view_fault_class(MEMSRV_STAT_FAULTS_GUARD), "guard");
	CHECK_STR(view_fault_class(MEMSRV_STAT_FAULTS_PERMISSION), "permission");
	CHECK_STR(view_fault_class(MEMSRV_STAT_VMAS), "?");
	CHECK_STR(view_fault_kill(MEMSRV_STAT_FAULTS_GUARD), "guard page hit");
	CHECK_STR(view_fault_meaning(MEMSRV_STAT_FAULTS_UNMAPPED), "no VMA there");
	CHECK(strstr(view_error(E_WX), "W^X") != NULL);
	CHECK_STR(view_error(-1000), "E_UNKNOWN");
}

static void test_maps_line(void)
{
	char line[VIEW_LINE_MAX];
	struct mem_vma v = { 0x10000000,       0x4000, MEMSRV_PROT_R | MEMSRV_PROT_W,
			     MEMSRV_KIND_ANON, 0,      1 };
	view_vma(line, sizeof(line), &v, NULL);
	CHECK_STR(line, "000010000000-000010004000 rw- anon        1/4      lazy");
	struct mem_vma s = { 0x7e0000000000,
			     0x3000,
			     MEMSRV_PROT_R | MEMSRV_PROT_W,
			     MEMSRV_KIND_STACK,
			     MEMSRV_MAP_EAGER | MEMSRV_VMA_PINNED,
			     2 };
	view_vma(line, sizeof(line), &s, " [probe]");
	CHECK_STR(line, "7e0000000000-7e0000003000 rw- stack       2/2      eager pinned guard "
			"[probe]");
}

static void test_bytes(void)
{
	char b[32];
	view_bytes(b, sizeof(b), 12288);
	CHECK_STR(b, "12 KiB");
	view_bytes(b, sizeof(b), 1ull << 40);
	CHECK_STR(b, "1 TiB");
	view_bytes(b, sizeof(b), 4097);
	CHECK_STR(b, "4097 bytes");
}

static void test_bar_columns_are_logarithmic(void)
{
	CHECK_EQ(view_bar_column(0), 0);
	CHECK_EQ(view_bar_column(0x1000), 0);
	CHECK_EQ(view_bar_column(0x1800), 1);
	CHECK_EQ(view_bar_column(0x2000), 2);
	CHECK_EQ(view_bar_column(1ull << 20), 16);
	CHECK_EQ(view_bar_column(1ull << 40), 56);
	CHECK_EQ(view_bar_column((1ull << 48) - 1), VIEW_BAR_WIDTH - 1);
	CHECK_EQ(view_bar_column(~0ull), VIEW_BAR_WIDTH - 1);
}

static void test_bar_marks_each_kind(void)
{
	char bar[VIEW_BAR_WIDTH + 1];
	struct mem_vma v[3] = {
		{ 0x400000, 0x1000, MEMSRV_PROT_R | MEMSRV_PROT_X, MEMSRV_KIND_ELF, 0, 1 },
		{ 1ull << 40, 0x1000, MEMSRV_PROT_R | MEMSRV_PROT_W, MEMSRV_KIND_ANON, 0, 0 },
		{ MEMSRV_PROBE_BASE, 0x1000, MEMSRV_PROT_R | MEMSRV_PROT_X, MEMSRV_KIND_ELF, 0, 1 },
	};
	view_bar(v, 3, bar);
	CHECK_EQ(strlen(bar), VIEW_BAR_WIDTH);
	CHECK_EQ(bar[view_bar_column(0x400000)], 'e');
	CHECK_EQ(bar[56], 'a');
	CHECK_EQ(bar[view_bar_column(MEMSRV_PROBE_BASE)], 'p');
	CHECK_EQ(bar[0], '.');
	struct mem_vma w[2] = {
		{ 0x400000, 0x1000, MEMSRV_PROT_R, MEMSRV_KIND_ELF, 0, 1 },
		{ 0x401000, 0x1000, MEMSRV_PROT_R | MEMSRV_PROT_W, MEMSRV_KIND_ANON, 0, 0 },
	};
	view_bar(w, 2, bar);
	CHECK_EQ(bar[view_bar_column(0x400000)], '*');
	view_bar(w, 0, bar);
	for (unsigned c = 0; c < VIEW_BAR_WIDTH; c++)
		CHECK_EQ(bar[c], '.');
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "perms_and_kinds", test_perms_and_kinds },
		{ "fault_classes_have_names", test_fault_classes_have_names },
		{ "maps_line", test_maps_line },
		{ "bytes", test_bytes },
		{ "bar_columns_are_logarithmic", test_bar_columns_are_logarithmic },
		{ "bar_marks_each_kind", test_bar_marks_each_kind },
		{ NULL, NULL },
	};
	return check_main(tests);
}
