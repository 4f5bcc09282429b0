/* String and memory functions (libc-mini; also linked into the kernel). */
#pragma once

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* The first occurrence of `needle` in `haystack`, or NULL. */
char *strstr(const char *haystack, const char *needle);
/* Copies at most size-1 bytes and always NUL-terminates (if size > 0). Returns strlen(src). */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
