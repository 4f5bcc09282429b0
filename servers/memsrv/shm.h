/*
 * Shared memory: a region of frames one process creates (MEMSRV_SHM_CREATE, charged to its
 * quota while it holds the region), shares with other processes, each with the most rights
 * it may map it with (MEMSRV_SHM_SHARE), and that each side maps with its own rights
 * (MEMSRV_SHM_MAP; W^X holds: never W and X). Every mapping of a page is its own copy of the
 * region's frame capability, so each address space's tables stay its own; the frames are
 * freed when the creator has released the region (MEMSRV_SHM_RELEASE, or its end) and its
 * last page is unmapped anywhere. Handing a region over "by name": a server publishes its
 * endpoint (names.h), a client calls it, and the server shares the region with the badge it
 * saw (the client's process id) and answers with the handle.
 */
#pragma once

#include <stdint.h>

#include "aspace.h"
#include "handlers.h"

/* A page of the region whose VMAs carry `user` was mapped (aspace_map_shared). */
void shm_mapped(uint64_t user, uint64_t pages);

/* `pages` pages of the region whose VMAs carry `user` were unmapped. */
void shm_unmapped(uint64_t user, uint64_t pages);

/* The process of `as` is ending: releases its regions and its shares of others'. */
void shm_forget(struct aspace *as);

/* Regions and the frames they hold, over all processes. */
void shm_totals(uint64_t *regions, uint64_t *frames);

/* MEMSRV_SHM_CREATE: pages, max prot -> handle. */
int handle_shm_create(struct call *c);

/* MEMSRV_SHM_SHARE: handle, process id, prot. */
int handle_shm_share(struct call *c);

/* MEMSRV_SHM_MAP: as, handle, addr, prot -> start. */
int handle_shm_map(struct call *c);

/* MEMSRV_SHM_RELEASE: handle. */
int handle_shm_release(struct call *c);
