/*
 * CPIO "newc" reader. An archive is a run of entries, each a 110-byte ASCII header
 * ("070701" and thirteen 8-digit hex fields), the NUL-terminated name (padded so the data
 * starts on a 4-byte boundary), then the data (padded to 4), ending with "TRAILER!!!".
 * Every offset is checked against the archive's length before it is read; the archive may
 * sit at any alignment.
 */
#include <cpio.h>
#include <digit.h>

#include <stdbool.h>
#include <string.h>

#define CPIO_MAGIC       "070701"
#define CPIO_MAGIC_LEN   6
#define CPIO_FIELD_LEN   8
#define CPIO_HEADER_SIZE 110
#define CPIO_TRAILER     "TRAILER!!!"

/* Field indexes: the header's hex fields after the magic, in order. */
enum cpio_field {
	FIELD_INO,
	FIELD_MODE,
	FIELD_UID,
	FIELD_GID,
	FIELD_NLINK,
	FIELD_MTIME,
	FIELD_FILESIZE,
	FIELD_DEVMAJOR,
	FIELD_DEVMINOR,
	FIELD_RDEVMAJOR,
	FIELD_RDEVMINOR,
	FIELD_NAMESIZE,
	FIELD_CHECK,
	FIELD_COUNT,
};
_Static_assert(CPIO_MAGIC_LEN + FIELD_COUNT * CPIO_FIELD_LEN == CPIO_HEADER_SIZE,
	       "newc header layout");

/* One parsed entry and where the next one starts. */
struct cpio_entry_ret {
	struct cpio_file file;
	size_t next;  /* offset of the following header */
	bool trailer; /* this is the end-of-archive marker */
};

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Parses the header's fields (each exactly 8 hex digits) into f[]. Returns 0 or -1. */
static int read_fields(const char *hdr, uint32_t f[FIELD_COUNT])
{
	const char *p = hdr + CPIO_MAGIC_LEN;
	for (int i = 0; i < FIELD_COUNT; i++) {
		uint32_t v = 0;
		for (int j = 0; j < CPIO_FIELD_LEN; j++) {
			unsigned d = digit_value(*p++);
			if (d >= 16)
				return -1;
			v = (v << 4) | d;
		}
		f[i] = v;
	}
	return 0;
}

/*
 * Parses the entry whose header starts at `off` in [base, base+len). Returns 0 and fills
 * *ret, or -1 if the header, name or data is malformed or does not fit. `off` <= len.
 */
static int parse_entry(const char *base, size_t len, size_t off, struct cpio_entry_ret *ret)
{
	const char *hdr = base + off;
	uint32_t f[FIELD_COUNT];
	if (len - off < CPIO_HEADER_SIZE || memcmp(hdr, CPIO_MAGIC, CPIO_MAGIC_LEN) != 0)
		return -1;
	if (read_fields(hdr, f) != 0)
		return -1;
	uint32_t namesize = f[FIELD_NAMESIZE], filesize = f[FIELD_FILESIZE];

	/* The name (namesize counts its NUL) must fit and hold exactly one NUL, at its end. */
	size_t name_off = off + CPIO_HEADER_SIZE;
	if (namesize == 0 || namesize > len - name_off)
		return -1;
	const char *name = base + name_off;
	if (strnlen(name, namesize) != namesize - 1)
		return -1;

	size_t data_off = align4(name_off + namesize);
	if (data_off > len || filesize > len - data_off)
		return -1;

	ret->file.name = name;
	ret->file.data = base + data_off;
	ret->file.size = filesize;
	ret->file.mode = f[FIELD_MODE];
	ret->trailer = strcmp(name, CPIO_TRAILER) == 0;
	/* The final padding may be missing at the very end; the next header check catches it. */
	ret->next = align4(data_off + filesize);
	return 0;
}

/* Decides whether entry number `index`, `f`, is the one wanted (`key` says which). */
typedef bool (*cpio_match_fn)(const struct cpio_file *f, const void *key, unsigned index);

/* True if the archive name `stored` names `wanted` (a leading "./" is ignored). */
static bool name_matches(const char *stored, const char *wanted)
{
	if (stored[0] == '.' && stored[1] == '/')
		stored += 2;
	return strcmp(stored, wanted) == 0;
}

/*
 * Walks the archive until `match` accepts an entry. Returns 0 with *out filled, or -1 at the
 * trailer, at the end of the data, or at the first malformed entry.
 */
static int cpio_walk(const void *archive, size_t len, cpio_match_fn match, const void *key,
		     struct cpio_file *out)
{
	const char *base = archive;
	size_t off = 0;
	/* Invariant: off <= len and every entry before off was well-formed and not accepted. */
	for (unsigned index = 0; archive && off <= len; index++) {
		struct cpio_entry_ret e;
		if (parse_entry(base, len, off, &e) != 0 || e.trailer)
			return -1;
		if (match(&e.file, key, index)) {
			*out = e.file;
			return 0;
		}
		off = e.next;
	}
	return -1;
}

static bool match_name(const struct cpio_file *f, const void *key, unsigned index)
{
	(void)index;
	return name_matches(f->name, key);
}

static bool match_index(const struct cpio_file *f, const void *key, unsigned index)
{
	(void)f;
	return index == *(const unsigned *)key;
}

int cpio_find(const void *archive, size_t len, const char *name, struct cpio_file *out)
{
	if (!name)
		return -1;
	return cpio_walk(archive, len, match_name, name, out);
}

int cpio_entry(const void *archive, size_t len, unsigned index, struct cpio_file *out)
{
	return cpio_walk(archive, len, match_index, &index, out);
}
