/*
 * The little of <stdlib.h> that user programs have today. There is no exit() yet: a
 * program ends by returning from main (crt0 then calls mica_exit, see mica.h).
 */
#pragma once

#include <stddef.h>

/* Prints "abort" on the console and stops this thread for good (it yields forever). */
__attribute__((noreturn)) void abort(void);
