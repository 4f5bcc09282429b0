/* The name table (nametab.h). */
#include "nametab.h"

#include <mica/errors.h>
#include <string.h>

void nametab_init(struct nametab *t)
{
	memset(t, 0, sizeof(*t));
}

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

int nametab_check(const char *bytes, size_t n)
{
	size_t len = strnlen(bytes, n);
	if (len == 0 || len == n || len > NAMETAB_NAME_MAX)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!name_char(bytes[i]))
			return -1;
	return (int)len;
}

struct name_entry *nametab_find(struct nametab *t, const char *name)
{
	for (unsigned i = 0; i < NAMETAB_MAX; i++)
		if (t->e[i].used && strcmp(t->e[i].name, name) == 0)
			return &t->e[i];
	return NULL;
}

int nametab_add(struct nametab *t, const char *name, unsigned owner, unsigned slot, uint64_t cap,
		unsigned per_owner)
{
	if (nametab_find(t, name))
		return E_BUSY;
	if (nametab_count(t, owner) >= per_owner)
		return E_NOMEM;
	for (unsigned i = 0; i < NAMETAB_MAX; i++) {
		struct name_entry *e = &t->e[i];
		if (e->used)
			continue;
		e->used = true;
		e->owner = (uint16_t)owner;
		e->slot = (uint8_t)slot;
		e->cap = cap;
		size_t len = strnlen(name, NAMETAB_NAME_MAX);
		memcpy(e->name, name, len);
		e->name[len] = '\0';
		return E_OK;
	}
	return E_NOMEM;
}

void nametab_remove(struct name_entry *e)
{
	e->used = false;
}

struct name_entry *nametab_any(struct nametab *t, unsigned owner)
{
	for (unsigned i = 0; i < NAMETAB_MAX; i++)
		if (t->e[i].used && t->e[i].owner == owner)
			return &t->e[i];
	return NULL;
}

unsigned nametab_count(const struct nametab *t, unsigned owner)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NAMETAB_MAX; i++)
		n += t->e[i].used && t->e[i].owner == owner;
	return n;
}

unsigned nametab_total(const struct nametab *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NAMETAB_MAX; i++)
		n += t->e[i].used;
	return n;
}
