/*
 * The name service: a process publishes an endpoint it created (objects.h) under a name;
 * any process looks the name up and gets a copy of that endpoint badged with its own id
 * (MEMSRV_NAME_BADGE), with the write and grant rights, in its own CSpace; only the
 * publisher withdraws a name. memsrv keeps one copy of each published endpoint to mint from.
 * A name goes when its publisher withdraws it, deletes the endpoint, or ends.
 */
#pragma once

#include "aspace.h"
#include "handlers.h"

/* Prepares the name table. Call once at boot. */
void names_init(void);

/* Withdraws every name of `as` (its process is ending). */
void names_forget(struct aspace *as);

/* Withdraws the names `as` published from `slot` (the object there is being deleted). */
void names_forget_slot(struct aspace *as, unsigned slot);

/* The number of names `as` has published. */
unsigned names_count(const struct aspace *as);

/* The number of names published in all. */
unsigned names_total(void);

/* MEMSRV_NAME_PUBLISH: slot, name. */
int handle_name_publish(struct call *c);

/* MEMSRV_NAME_LOOKUP: slot, name -> slot, publisher. */
int handle_name_lookup(struct call *c);

/* MEMSRV_NAME_WITHDRAW: name. */
int handle_name_withdraw(struct call *c);
