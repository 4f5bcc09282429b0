/*
 * Host tests for memsrv's object table (servers/memsrv/objtab.c) and name table
 * (servers/memsrv/nametab.c): quotas, uniqueness, removal by owner, and name validation.
 */
#include <mica/errors.h>
#include <stdint.h>

#include "../../servers/memsrv/nametab.h"
#include "../../servers/memsrv/objtab.h"
#include "check.h"

CHECK_DEFINE_GLOBALS;

static struct objtab ot;
static struct nametab nt;

static void test_objtab_add_find_remove(void)
{
	objtab_init(&ot);
	CHECK_EQ(objtab_add(&ot, 3, 8, 1, 100, 4), E_OK);
	CHECK_EQ(objtab_add(&ot, 3, 9, 2, 101, 4), E_OK);
	CHECK_EQ(objtab_add(&ot, 4, 8, 1, 102, 4), E_OK);
	struct obj_entry *e = objtab_find(&ot, 3, 9);
	CHECK(e && e->cell == 101 && e->type == 2);
	CHECK(objtab_find(&ot, 4, 9) == NULL);
	objtab_remove(&ot, objtab_find(&ot, 3, 8));
	CHECK(objtab_find(&ot, 3, 8) == NULL);
	e = objtab_find(&ot, 3, 9); /* moved into the freed place, still found */
	CHECK(e && e->cell == 101);
	CHECK_EQ(objtab_count(&ot, 3), 1);
	CHECK_EQ(objtab_count(&ot, 4), 1);
	CHECK_EQ(ot.used, 2);
}

static void test_objtab_quota_and_duplicates_change_nothing(void)
{
	objtab_init(&ot);
	for (unsigned s = 0; s < 4; s++)
		CHECK_EQ(objtab_add(&ot, 5, 8 + s, 1, s, 4), E_OK);
	CHECK_EQ(objtab_add(&ot, 5, 20, 1, 9, 4), E_NOMEM);
	CHECK_EQ(objtab_add(&ot, 5, 8, 1, 9, 8), E_BUSY);
	CHECK_EQ(objtab_add(&ot, OBJTAB_OWNERS, 8, 1, 9, 8), E_RANGE);
	CHECK_EQ(objtab_add(&ot, 5, 256, 1, 9, 8), E_RANGE);
	CHECK_EQ(objtab_count(&ot, 5), 4);
	CHECK_EQ(ot.used, 4);
	CHECK_EQ(objtab_count(&ot, OBJTAB_OWNERS + 7), 0);
}

static void test_objtab_full_table_is_nomem(void)
{
	objtab_init(&ot);
	for (unsigned i = 0; i < OBJTAB_MAX; i++)
		CHECK_EQ(objtab_add(&ot, i / 64, i % 64, 1, i, 64), E_OK);
	CHECK_EQ(objtab_add(&ot, 1000, 8, 1, 0, 64), E_NOMEM);
	CHECK_EQ(ot.used, OBJTAB_MAX);
}

static void test_objtab_any_empties_one_owner(void)
{
	objtab_init(&ot);
	for (unsigned s = 8; s < 16; s++) {
		CHECK_EQ(objtab_add(&ot, 7, s, 1, s, 32), E_OK);
		CHECK_EQ(objtab_add(&ot, 6, s, 1, s, 32), E_OK);
	}
	unsigned n = 0;
	for (struct obj_entry *e; (e = objtab_any(&ot, 7)) != NULL; n++)
		objtab_remove(&ot, e);
	CHECK_EQ(n, 8);
	CHECK_EQ(objtab_count(&ot, 7), 0);
	CHECK_EQ(objtab_count(&ot, 6), 8);
	for (unsigned s = 8; s < 16; s++)
		CHECK(objtab_find(&ot, 6, s) != NULL);
}

static void test_name_check_accepts_only_valid_names(void)
{
	char buf[32] = "kv";
	CHECK_EQ(nametab_check(buf, sizeof(buf)), 2);
	CHECK_EQ(nametab_check("a.b_c-9Z", 9), 8);
	CHECK_EQ(nametab_check("", 1), -1);     /* empty */
	CHECK_EQ(nametab_check("abc", 3), -1);  /* unterminated */
	CHECK_EQ(nametab_check("a b", 4), -1);  /* space */
	CHECK_EQ(nametab_check("a/b", 4), -1);  /* slash */
	CHECK_EQ(nametab_check("\xff", 2), -1); /* not ASCII */
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(nametab_check(buf, sizeof(buf)), -1); /* 32 bytes, no NUL */
	buf[31] = '\0';
	CHECK_EQ(nametab_check(buf, sizeof(buf)), 31); /* the longest */
}

static void test_names_unique_and_per_owner_limit(void)
{
	nametab_init(&nt);
	CHECK_EQ(nametab_add(&nt, "kv", 3, 8, 50, 2), E_OK);
	CHECK_EQ(nametab_add(&nt, "kv", 4, 8, 51, 2), E_BUSY);
	CHECK_EQ(nametab_add(&nt, "log", 3, 8, 52, 2), E_OK);
	CHECK_EQ(nametab_add(&nt, "more", 3, 8, 53, 2), E_NOMEM);
	CHECK_EQ(nametab_count(&nt, 3), 2);
	CHECK_EQ(nametab_total(&nt), 2);
	struct name_entry *e = nametab_find(&nt, "kv");
	CHECK(e && e->owner == 3 && e->cap == 50 && e->slot == 8);
	CHECK_STR(e->name, "kv");
	CHECK(nametab_find(&nt, "k") == NULL);
	CHECK(nametab_find(&nt, "kvx") == NULL);
}

static void test_names_of_one_owner_removed_together(void)
{
	nametab_init(&nt);
	CHECK_EQ(nametab_add(&nt, "a", 3, 8, 1, 8), E_OK);
	CHECK_EQ(nametab_add(&nt, "b", 4, 8, 2, 8), E_OK);
	CHECK_EQ(nametab_add(&nt, "c", 3, 8, 3, 8), E_OK);
	for (struct name_entry *e; (e = nametab_any(&nt, 3)) != NULL;)
		nametab_remove(e);
	CHECK(nametab_find(&nt, "a") == NULL);
	CHECK(nametab_find(&nt, "c") == NULL);
	CHECK(nametab_find(&nt, "b") != NULL);
	CHECK_EQ(nametab_total(&nt), 1);
	CHECK_EQ(nametab_add(&nt, "a", 5, 8, 4, 8), E_OK); /* a removed name can be taken again */
}

static void test_name_table_full_is_nomem(void)
{
	nametab_init(&nt);
	char name[8];
	for (unsigned i = 0; i < NAMETAB_MAX; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		CHECK_EQ(nametab_add(&nt, name, i, 8, i, 8), E_OK);
	}
	CHECK_EQ(nametab_add(&nt, "last", 999, 8, 0, 8), E_NOMEM);
	CHECK_EQ(nametab_total(&nt), NAMETAB_MAX);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "objtab_add_find_remove", test_objtab_add_find_remove },
		{ "objtab_quota_and_duplicates_change_nothing",
		  test_objtab_quota_and_duplicates_change_nothing },
		{ "objtab_full_table_is_nomem", test_objtab_full_table_is_nomem },
		{ "objtab_any_empties_one_owner", test_objtab_any_empties_one_owner },
		{ "name_check_accepts_only_valid_names", test_name_check_accepts_only_valid_names },
		{ "names_unique_and_per_owner_limit", test_names_unique_and_per_owner_limit },
		{ "names_of_one_owner_removed_together", test_names_of_one_owner_removed_together },
		{ "name_table_full_is_nomem", test_name_table_full_is_nomem },
		{ NULL, NULL },
	};
	return check_main(tests);
}
