/*
 * Host tests for memsrv's page and table hash (servers/memsrv/pagemap.c): keys, the load
 * limit, and many random inserts and removals against a simple reference array, with a
 * small table so that clusters wrap around the end and backward-shift deletion is exercised.
 */
#include <stdint.h>
#include <stdlib.h>

#include <mica/errors.h>

#include "../../servers/memsrv/pagemap.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

static void test_keys_are_distinct_per_space_level_and_index(void)
{
	uint64_t va = 0x7e1234567000ull;
	CHECK(pm_key(1, 0, va) != 0);
	CHECK(pm_key(1, 0, va) != pm_key(2, 0, va));
	CHECK(pm_key(1, 0, va) != pm_key(1, 3, va));
	CHECK(pm_key(1, 3, va) != pm_key(1, 2, va));
	CHECK(pm_key(1, 2, va) != pm_key(1, 1, va));
	CHECK(pm_key(1, 0, va) != pm_key(1, 0, va + 4096));
	CHECK_EQ(pm_key(1, 0, va), pm_key(1, 0, va + 4095));
	CHECK_EQ(pm_key(1, 3, va), pm_key(1, 3, (va & ~0x1fffffull) + 0x1ff000));
	CHECK_EQ(pm_key(65535, 1, (1ull << 48) - 1), pm_key(65535, 1, 0xff8000000000ull));
	CHECK_EQ(pm_level_shift(0), 12);
	CHECK_EQ(pm_level_shift(1), 39);
	CHECK_EQ(pm_level_shift(2), 30);
	CHECK_EQ(pm_level_shift(3), 21);
}

static void test_init_refuses_bad_capacities(void)
{
	struct pagemap pm;
	struct pm_entry e[8];
	CHECK_EQ(pm_init(&pm, e, 6), E_INVAL);
	CHECK_EQ(pm_init(&pm, e, 1), E_INVAL);
	CHECK_EQ(pm_init(&pm, NULL, 8), E_INVAL);
	CHECK_EQ(pm_init(&pm, e, 8), E_OK);
	CHECK_EQ(pm.limit, 4);
}

static void test_insert_find_remove(void)
{
	struct pagemap pm;
	struct pm_entry e[16];
	pm_init(&pm, e, 16);
	uint64_t k = pm_key(3, 0, 0x400000);
	CHECK(pm_find(&pm, k) == NULL);
	CHECK_EQ(pm_insert(&pm, k, 77), E_OK);
	CHECK_EQ(pm_insert(&pm, k, 78), E_MAPPED);
	CHECK(pm_find(&pm, k) != NULL);
	CHECK_EQ(pm_find(&pm, k)->slot, 77);
	CHECK_EQ(pm_find(&pm, k)->count, 0);
	pm_find(&pm, k)->count = 5;
	CHECK_EQ(pm_find(&pm, k)->count, 5);
	CHECK_EQ(pm_remove(&pm, k), E_OK);
	CHECK_EQ(pm_remove(&pm, k), E_NOTMAPPED);
	CHECK(pm_find(&pm, k) == NULL);
	CHECK_EQ(pm.used, 0);
}

static void test_limit_is_half_the_capacity(void)
{
	struct pagemap pm;
	struct pm_entry e[16];
	pm_init(&pm, e, 16);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(pm_insert(&pm, pm_key(1, 0, i * 4096ull), i), E_OK);
	CHECK(!pm_room(&pm, 1));
	CHECK(pm_room(&pm, 0));
	CHECK_EQ(pm_insert(&pm, pm_key(1, 0, 9 * 4096ull), 9), E_NOMEM);
	CHECK_EQ(pm_remove(&pm, pm_key(1, 0, 3 * 4096ull)), E_OK);
	CHECK(pm_room(&pm, 1));
	CHECK_EQ(pm_insert(&pm, pm_key(1, 0, 9 * 4096ull), 9), E_OK);
}

/* Random operations on a 64-entry map over 96 possible keys, checked against a reference. */
static void test_random_operations_match_a_reference(void)
{
	enum { CAP = 64, KEYS = 96, OPS = 200000 };
	struct pagemap pm;
	struct pm_entry e[CAP];
	int32_t ref[KEYS]; /* the slot of each key, or -1 */
	unsigned used = 0;
	pm_init(&pm, e, CAP);
	for (int i = 0; i < KEYS; i++)
		ref[i] = -1;
	srand(12345);
	for (int op = 0; op < OPS; op++) {
		unsigned k = (unsigned)rand() % KEYS;
		uint64_t key = pm_key(k % 3 + 1, k % 4, (uint64_t)k << 39);
		if (rand() % 2) {
			int err = pm_insert(&pm, key, (uint32_t)op);
			int want = ref[k] >= 0 ? E_MAPPED : used >= CAP / 2 ? E_NOMEM : E_OK;
			CHECK_EQ(err, want);
			if (err == E_OK) {
				ref[k] = op;
				used++;
			}
		} else {
			CHECK_EQ(pm_remove(&pm, key), ref[k] >= 0 ? E_OK : E_NOTMAPPED);
			if (ref[k] >= 0) {
				ref[k] = -1;
				used--;
			}
		}
		if (op % 97 == 0) {
			for (unsigned j = 0; j < KEYS; j++) {
				uint64_t kj = pm_key(j % 3 + 1, j % 4, (uint64_t)j << 39);
				struct pm_entry *f = pm_find(&pm, kj);
				CHECK_EQ(f != NULL, ref[j] >= 0);
				if (f && ref[j] >= 0)
					CHECK_EQ(f->slot, (uint32_t)ref[j]);
			}
			CHECK_EQ(pm.used, used);
		}
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "keys_are_distinct_per_space_level_and_index",
		  test_keys_are_distinct_per_space_level_and_index },
		{ "init_refuses_bad_capacities", test_init_refuses_bad_capacities },
		{ "insert_find_remove", test_insert_find_remove },
		{ "limit_is_half_the_capacity", test_limit_is_half_the_capacity },
		{ "random_operations_match_a_reference", test_random_operations_match_a_reference },
		{ NULL, NULL },
	};
	return check_main(tests);
}
