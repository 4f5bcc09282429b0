/* The generic timer: the scheduler tick. */
#pragma once

#include <stdint.h>

/* Counter frequency in Hz (CNTFRQ_EL0). */
uint64_t timer_frequency(void);

/* Handles the timer interrupt: re-arms the compare value and calls kernel_tick(). */
void timer_irq(void);

/* Starts this core's tick at the rate arch_timer_start set (secondary cores). */
void timer_start_cpu(void);
